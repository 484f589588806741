import { AppError, validationFailed, type FieldError } from '../errors.ts';
import { FIELD_TYPES, SYSTEM_FIELD_NAMES, type FieldType, type MetadataRegistry } from './types.ts';

export const OBJECT_NAME_RE = /^[a-z](?:[a-z0-9]|_(?!_)){1,38}[a-z0-9]$/;
export const FIELD_NAME_RE = /^[a-z](?:[a-z0-9]|_(?!_)){0,48}[a-z0-9]$|^[a-z]$/;

/** Names that would collide with API routes or platform tables. */
export const RESERVED_OBJECT_NAMES = new Set([
  'metadata', 'auth', 'health', 'openapi', 'recycle_bin', 'search', 'webhooks', 'audit_log', 'roles', 'profiles',
  'sharing_rules', 'me', 'ical', 'bulk', 'users', 'views', 'tokens', 'files', 'timeline', 'notifications', 'admin',
  'api', 'system', 'setup', 'meta', 'record', 'records', 'object', 'objects', 'field', 'fields', 'history', 'events',
  'outbox', 'jobs', 'settings', 'pipelines', 'duplicates', 'merge', 'import', 'export', 'reports', 'dashboards', 'public',
  // Every first path segment of a fixed route (test/hostile-names.test.ts checks the list against the routes).
  'groups', 'capabilities', 'sharing_settings', 'audit', 'billing', 'portal', 'oauth', 'automation', 'quotes', 'sales',
  'activities', 'orders', 'invoices', 'payments', 'analytics',
]);

/**
 * Reserves the first segment of a route a module registers (`/api/v1/<segment>/…`), so a custom
 * object can never be named like it: modules add routes the static list above cannot know about.
 */
export function reserveRouteSegment(url: string): void {
  const segment = url.split('/')[3];
  if (!segment || segment.startsWith(':') || segment.startsWith('{') || !url.startsWith('/api/v1/')) return;
  RESERVED_OBJECT_NAMES.add(segment.replace(/-/g, '_').replace(/\.json$/, ''));
}

/**
 * Field names that would collide with the database or with JavaScript objects: PostgreSQL's system
 * columns exist in every table, and `constructor` / `prototype` are properties of every object the
 * code builds records in (a field named so once broke every create of its object).
 */
export const RESERVED_FIELD_NAMES = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid', 'oid', 'constructor', 'prototype']);

export interface FieldInput {
  apiName?: unknown;
  label?: unknown;
  type?: unknown;
  required?: unknown;
  unique?: unknown;
  defaultValue?: unknown;
  helpText?: unknown;
  picklist?: unknown;
  lookup?: unknown;
  autonumber?: unknown;
  externalId?: unknown;
  searchable?: unknown;
}

export function assertPlainObject(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationFailed([{ field: '', code: 'type', message: `${what} must be a JSON object` }]);
  }
  return input as Record<string, unknown>;
}

export function rejectUnknownKeys(input: Record<string, unknown>, allowed: string[]) {
  const unknown = Object.keys(input).filter((k) => !allowed.includes(k));
  if (unknown.length) throw validationFailed(unknown.map((k) => ({ field: k.slice(0, 64), code: 'unknown_property', message: `Unknown property '${k.slice(0, 64)}'` })));
}

export function requireLabel(value: unknown, field: string, errors: FieldError[]): string {
  if (typeof value !== 'string' || !value.trim()) {
    errors.push({ field, code: 'required', message: 'A non-empty label is required' });
    return '';
  }
  if (value.length > 80) errors.push({ field, code: 'too_long', message: 'At most 80 characters' });
  return value.trim();
}

export function optionalBoolean(value: unknown, field: string, errors: FieldError[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    errors.push({ field, code: 'type', message: 'Must be true or false' });
    return undefined;
  }
  return value;
}

export function validateObjectName(name: unknown, registry: MetadataRegistry & { isDeletedObject(n: string): boolean }): string {
  if (typeof name !== 'string' || !OBJECT_NAME_RE.test(name)) {
    throw validationFailed([{ field: 'apiName', code: 'invalid_name', message: 'Use lower snake case: 3–40 characters, a-z, 0-9 and single underscores, starting with a letter (e.g. service_log)' }]);
  }
  if (registry.getObject(name)) throw new AppError('conflict', `An object '${name}' already exists`, { errors: [{ field: 'apiName', code: 'duplicate', message: 'Already in use' }] });
  if (RESERVED_OBJECT_NAMES.has(name)) throw validationFailed([{ field: 'apiName', code: 'reserved', message: `'${name}' is reserved` }]);
  if (registry.isDeletedObject(name)) {
    throw new AppError('conflict', `An object '${name}' is in the metadata recycle bin; restore or purge it first`, { errors: [{ field: 'apiName', code: 'in_recycle_bin', message: 'Restore or purge the deleted object first' }] });
  }
  return name;
}

export function validateFieldName(name: unknown): string {
  if (typeof name !== 'string' || !FIELD_NAME_RE.test(name)) {
    throw validationFailed([{ field: 'apiName', code: 'invalid_name', message: 'Use lower snake case: up to 50 characters, a-z, 0-9 and single underscores, starting with a letter (e.g. serial_number)' }]);
  }
  if ((SYSTEM_FIELD_NAMES as readonly string[]).includes(name) || name === 'name_search') {
    throw validationFailed([{ field: 'apiName', code: 'reserved', message: `'${name}' is reserved for a system field` }]);
  }
  if (RESERVED_FIELD_NAMES.has(name)) throw validationFailed([{ field: 'apiName', code: 'reserved', message: `'${name}' is reserved (the database or the code uses it)` }]);
  return name;
}

export function validateFieldType(type: unknown): FieldType {
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
    throw validationFailed([{ field: 'type', code: 'invalid_choice', message: `type must be one of: ${FIELD_TYPES.join(', ')}` }]);
  }
  return type as FieldType;
}

export function validatePicklist(input: unknown, errors: FieldError[]): Array<{ value: string; label: string; active: boolean }> {
  const values = (input as { values?: unknown } | undefined)?.values;
  if (!Array.isArray(values) || values.length === 0) {
    errors.push({ field: 'picklist.values', code: 'required', message: 'A picklist needs at least one value' });
    return [];
  }
  if (values.length > 1000) errors.push({ field: 'picklist.values', code: 'too_many', message: 'At most 1000 values' });
  const seen = new Set<string>();
  const out: Array<{ value: string; label: string; active: boolean }> = [];
  values.forEach((v, i) => {
    const value = (v as { value?: unknown })?.value;
    // An empty label is the value itself: a picklist never shows blank options (issue 17, item 5).
    const rawLabel = (v as { label?: unknown })?.label;
    const label = rawLabel === undefined || rawLabel === null || (typeof rawLabel === 'string' && !rawLabel.trim()) ? value : rawLabel;
    const active = (v as { active?: unknown })?.active ?? true;
    if (typeof value !== 'string' || !value.trim() || value.length > 255) {
      errors.push({ field: `picklist.values[${i}].value`, code: 'invalid', message: 'Each value needs a non-empty string value (≤ 255 characters)' });
      return;
    }
    if (seen.has(value)) errors.push({ field: `picklist.values[${i}].value`, code: 'duplicate', message: `'${value}' appears twice` });
    seen.add(value);
    if (typeof label !== 'string' || typeof active !== 'boolean') {
      errors.push({ field: `picklist.values[${i}]`, code: 'invalid', message: 'label must be a string and active a boolean' });
      return;
    }
    out.push({ value, label, active });
  });
  return out;
}

/** Type changes that keep every value; anything else would lose data and is refused. */
export const SAFE_TYPE_CHANGES: Record<string, FieldType[]> = {
  text: ['long_text', 'email', 'phone', 'url', 'picklist'],
  long_text: ['text'],
  email: ['text', 'long_text'],
  phone: ['text', 'long_text'],
  url: ['text', 'long_text'],
  picklist: ['text', 'long_text', 'multi_picklist'],
  number: ['percent', 'currency'],
  percent: ['number', 'currency'],
  currency: ['number', 'percent'],
  date: ['datetime'],
};
