import { Liquid, type Template } from 'liquidjs';
import type { FieldError } from '../../platform/errors.ts';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import type { Registry } from '../../platform/metadata/registry.ts';

/**
 * Liquid for the values rules write and the messages they send. Variables: `record.<field>` (the
 * triggering record), `<lookup field>.<field>` (the record a lookup points to, e.g.
 * `account.name`, `owner.full_name`), `today` and `now`. Unknown variables and filters are refused
 * when the rule is saved (checked statically against the object's fields, below) and are errors
 * when rendering; parse and render are bounded so a template cannot run away.
 */
const liquid = new Liquid({ strictVariables: true, strictFilters: true, parseLimit: 100_000, renderLimit: 1_000, memoryLimit: 10_000_000 });

const parsed = new Map<string, Template[]>();
function parseCached(template: string): Template[] {
  let tpl = parsed.get(template);
  if (!tpl) {
    tpl = liquid.parse(template);
    if (parsed.size >= 500) parsed.delete(parsed.keys().next().value!);
    parsed.set(template, tpl);
  }
  return tpl;
}

/** Whether a string value is a template (else it is written as it is). */
export const isTemplate = (value: unknown): value is string => typeof value === 'string' && /\{\{|\{%/.test(value);

/**
 * Checks a template against the object: it parses, and every variable it reads exists. Answers
 * the lookups it reads (their records are loaded when it renders), or throws the field error.
 */
export function checkTemplate(args: { template: string; object: ObjectDefinition; registry: Registry; path: string }): { error?: FieldError; lookups: string[] } {
  const { object, registry, path } = args;
  let segments: Array<Array<string | number | unknown>>;
  try {
    segments = liquid.globalVariableSegmentsSync(parseCached(args.template));
  } catch (error) {
    return { error: { field: path, code: 'template', message: `The template does not parse: ${(error as Error).message}` }, lookups: [] };
  }
  const lookups = new Set<string>();
  for (const segs of segments) {
    const [root, name] = segs.map(String);
    if (root === 'today' || root === 'now') continue;
    if (root === 'record') {
      if (name !== undefined && !registry.getField(object, name)) return { error: { field: path, code: 'unknown_variable', message: `record.${name}: ${object.label} has no field '${name}'` }, lookups: [] };
      continue;
    }
    const lookup = registry.getField(object, root);
    const target = lookup?.lookup ? registry.getObject(lookup.lookup.object) : undefined;
    if (!lookup || !target) return { error: { field: path, code: 'unknown_variable', message: `Unknown variable '${root}': use record.<field>, <lookup field>.<field>, today or now` }, lookups: [] };
    if (name !== undefined && !registry.getField(target, name)) return { error: { field: path, code: 'unknown_variable', message: `${root}.${name}: ${target.label} has no field '${name}'` }, lookups: [] };
    lookups.add(root);
  }
  return { lookups: [...lookups] };
}

/** Renders a checked template with the record's values and its lookups' records. */
export function renderTemplate(template: string, scope: Record<string, unknown>): string {
  return liquid.renderSync(parseCached(template), scope) as string;
}
