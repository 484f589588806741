import { validationFailed } from '../errors.ts';

/** Where in the untrusted input we are, for messages like `filter.and[1].field: ...`. */
export interface InputLocation {
  /** FieldError.field of the whole condition, e.g. 'filter'. */
  source: string;
  /** Dotted path inside the input, starting with `source`. */
  path: string;
}

export function throwFilterError(location: InputLocation, message: string): never {
  throw validationFailed([{ field: location.source, code: 'invalid_filter', message: `${location.path}: ${message}` }]);
}

export function extendLocation(location: InputLocation, suffix: string): InputLocation {
  return { source: location.source, path: `${location.path}${suffix}` };
}

/** Quotes an input string for a message, cut short so hostile input cannot flood the response. */
export function quoteInput(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    // Not JSON (a BigInt, a cycle): callers that are not the HTTP layer may pass anything.
    text = typeof value;
  }
  return `'${text.length > 60 ? `${text.slice(0, 60)}…` : text}'`;
}

/** JSON objects only: arrays, null and class instances are not conditions. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
