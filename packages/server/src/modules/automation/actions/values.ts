import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { ActionCheck } from './registry.ts';
import { coerceValue } from '../../../platform/records/values.ts';
import { checkTemplate, isTemplate, renderTemplate } from '../templates.ts';

/** Field values an action writes: literals (checked now) or Liquid templates (checked against the triggering object). */
export interface ValueMap {
  values: Record<string, unknown>;
  /** Lookups of the triggering object the templates read. */
  lookups: string[];
}

const SYSTEM = new Set(['id', 'created_at', 'updated_at', 'created_by', 'updated_by', 'version']);

export function checkValues(args: ActionCheck & { target: ObjectDefinition; key?: string }): ValueMap {
  const { config, target, registry, path, errors } = args;
  const key = args.key ?? 'values';
  const input = config[key];
  const out: ValueMap = { values: {}, lookups: [] };
  if (!input || typeof input !== 'object' || Array.isArray(input) || !Object.keys(input).length) {
    errors.push({ field: `${path}.${key}`, code: 'required', message: 'An object of field names to values' });
    return out;
  }
  const lookups = new Set<string>();
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    const at = `${path}.${key}.${name.slice(0, 64)}`;
    const field = registry.getField(target, name);
    if (!field) { errors.push({ field: at, code: 'unknown_field', message: `${target.label} has no field '${name.slice(0, 64)}'` }); continue; }
    if (SYSTEM.has(name) || (field.readOnly && name !== 'owner') || field.formula || field.rollup || field.generated || field.type === 'autonumber') {
      errors.push({ field: at, code: 'read_only', message: `${field.label} cannot be set by a rule` });
      continue;
    }
    if (isTemplate(value)) {
      const t = checkTemplate({ template: value, object: args.object, registry, path: at });
      if (t.error) errors.push(t.error);
      t.lookups.forEach((l) => lookups.add(l));
      out.values[name] = value;
      continue;
    }
    const c = coerceValue(field, value, at);
    if (c.ok) out.values[name] = c.value;
    else errors.push(c.error);
  }
  out.lookups = [...lookups];
  return out;
}

/** The values with their templates rendered (the record pipeline validates them as any input). */
export function renderValues(map: ValueMap, scope: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map.values).map(([k, v]) => [k, isTemplate(v) ? renderTemplate(v, scope) : v]));
}

/** A template string in an action's config (subject, body, title), checked like values. */
export function checkText(args: ActionCheck & { key: string; required?: boolean; max?: number }): { text: string; lookups: string[] } {
  const value = args.config[args.key];
  const at = `${args.path}.${args.key}`;
  if (value === undefined || value === null || value === '') {
    if (args.required !== false) args.errors.push({ field: at, code: 'required', message: 'Required' });
    return { text: '', lookups: [] };
  }
  if (typeof value !== 'string' || value.length > (args.max ?? 10_000)) {
    args.errors.push({ field: at, code: 'invalid', message: `A text of at most ${args.max ?? 10_000} characters` });
    return { text: '', lookups: [] };
  }
  const t = checkTemplate({ template: value, object: args.object, registry: args.registry, path: at });
  if (t.error) args.errors.push(t.error);
  return { text: value, lookups: t.lookups };
}
