import { DEFAULT_MAX_DEPTH, problem, sizeProblem, type IntakeLimits, type IntakeProblem } from './types.ts';
import type { TreeValue } from './tree.ts';

/**
 * JSON body → plain tree (tree.ts), with the same limits as XML: the byte limit before decoding,
 * the nesting limit by one scan before JSON.parse. Numbers are kept as their source text
 * (`12.50` stays "12.50", `0.1` never becomes 0.1000000000000000055…), booleans become "true" /
 * "false", null is dropped — intake values are text.
 */
export interface JsonResult {
  value?: TreeValue;
  problems: IntakeProblem[];
}

function depthProblem(text: string, maxDepth: number): IntakeProblem | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return problem('body', 'too_deep', `The JSON nests objects and arrays deeper than ${maxDepth} levels.`);
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return undefined;
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const toText: Reviver = (_key, value, context) => {
  if (typeof value === 'number') return context?.source ?? String(value);
  if (typeof value === 'boolean') return String(value);
  if (value === null) return undefined;
  return value;
};

/** Parses a JSON body with the size and depth limits; never throws. */
export function parseJson(body: Buffer | string, limits: IntakeLimits = {}): JsonResult {
  const tooLarge = sizeProblem(body, limits);
  if (tooLarge) return { problems: [tooLarge] };
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    return { problems: [problem('body', 'json_malformed', 'The body is not valid UTF-8 text.')] };
  }
  const deep = depthProblem(text, maxDepth);
  if (deep) return { problems: [deep] };
  try {
    const value = JSON.parse(text, toText as Parameters<typeof JSON.parse>[1]) as TreeValue | undefined;
    if (value === undefined || typeof value !== 'object') {
      return { problems: [problem('body', 'json_malformed', 'The JSON body must be an object or an array.')] };
    }
    return { value, problems: [] };
  } catch (error) {
    // V8 quotes the body in some messages ("…" is not valid JSON); the report keeps only the reason and position.
    const reason = (error as Error).message.replace(/,? "[\s\S]*" is not valid JSON$/, '').replace(/ in JSON at position \d+ \(line (\d+) column (\d+)\)/, ' at line $1, column $2');
    return { problems: [problem('body', 'json_malformed', `Malformed JSON: ${reason}.`)] };
  }
}
