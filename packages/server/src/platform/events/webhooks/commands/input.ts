import { sql } from 'kysely';
import { AppError, notFound, validationFailed, type FieldError } from '../../../errors.ts';
import type { Platform } from '../../../kernel.ts';
import { parseCondition } from '../../../query/index.ts';
import type { SubscriptionRow } from './presenters.ts';

/** Validation of webhook subscription input, and loading one for a command. */
/** The actions of record events; `<object>.<action>`. */
export const EVENT_ACTIONS = ['created', 'updated', 'deleted', 'restored'];

export const PATTERN = /^(\*|[a-z][a-z0-9_]*)\.(\*|[a-z][a-z0-9_]*)$/;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertBody(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw validationFailed([{ field: '', code: 'type', message: 'Send a JSON object' }]);
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !['url', 'events', 'condition', 'active', 'description'].includes(k));
  if (unknown.length) throw validationFailed(unknown.map((k) => ({ field: k.slice(0, 64), code: 'unknown_property', message: `Unknown property '${k.slice(0, 64)}'` })));
  return body;
}

export function validateUrl(value: unknown, errors: FieldError[]): string | undefined {
  if (typeof value !== 'string' || !value.trim()) {
    errors.push({ field: 'url', code: 'required', message: 'The receiver URL (http or https) is required' });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    errors.push({ field: 'url', code: 'invalid_url', message: 'Not a valid absolute URL' });
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') errors.push({ field: 'url', code: 'invalid_scheme', message: 'Only http and https URLs are allowed' });
  else if (url.username || url.password) errors.push({ field: 'url', code: 'credentials_in_url', message: 'Do not put credentials in the URL; verify the webhook-signature header instead' });
  else if (value.length > 2000) errors.push({ field: 'url', code: 'too_long', message: 'At most 2000 characters' });
  else if (url.hash) errors.push({ field: 'url', code: 'invalid_url', message: 'A URL fragment (#…) is never sent; remove it' });
  else return url.toString();
  return undefined;
}

export function validateEvents(platform: Platform, value: unknown, errors: FieldError[]): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > 50) {
    errors.push({ field: 'events', code: 'required', message: 'A list of 1 to 50 event types, e.g. ["opportunity.*", "contact.created"] or ["*"]' });
    return undefined;
  }
  const out: string[] = [];
  value.forEach((p, i) => {
    const field = `events[${i}]`;
    if (typeof p !== 'string') return errors.push({ field, code: 'type', message: 'Must be a string' });
    if (p === '*') return out.push(p);
    const m = PATTERN.exec(p);
    if (!m) return errors.push({ field, code: 'invalid_event', message: `'${p.slice(0, 64)}' is not an event type: use '<object>.<action>', '<object>.*', '*.<action>' or '*'` });
    if (m[1] !== '*' && !platform.registry.getObject(m[1]!)) return errors.push({ field, code: 'unknown_object', message: `There is no object '${m[1]}'` });
    // Besides the record actions, the domain events modules declare (`quote.accepted`).
    const declared = platform.modules.flatMap((mod) => (mod.events ?? []).map((e) => e.type));
    const known = EVENT_ACTIONS.includes(m[2]!) || declared.some((t) => (m[1] === '*' ? t.endsWith(`.${m[2]}`) : t === p));
    if (m[2] !== '*' && !known) {
      const extra = declared.filter((t) => m[1] === '*' || t.startsWith(`${m[1]}.`)).map((t) => t.split('.')[1]);
      return errors.push({ field, code: 'unknown_event', message: `Unknown action '${m[2]}'; one of ${[...EVENT_ACTIONS, ...extra].join(', ')} or *` });
    }
    out.push(p);
  });
  return [...new Set(out)];
}

/** A condition is about the fields of one object, so its events must all name that object. */
export function validateCondition(platform: Platform, value: unknown, events: string[], errors: FieldError[]): { condition: unknown; object: string | null } | undefined {
  if (value === undefined || value === null) return { condition: null, object: null };
  const objects = new Set(events.map((p) => (p === '*' ? '*' : p.split('.')[0]!)));
  const [object] = [...objects];
  if (objects.size !== 1 || object === '*') {
    errors.push({ field: 'condition', code: 'needs_one_object', message: 'A condition is about one object: subscribe to events of that object only, e.g. ["opportunity.*"]' });
    return undefined;
  }
  try {
    parseCondition({ input: value, object: object!, registry: platform.registry, source: 'condition' });
  } catch (error) {
    if (error instanceof AppError) {
      errors.push(...error.errors);
      return undefined;
    }
    throw error;
  }
  return { condition: value, object: object! };
}

export function validateDescription(value: unknown, errors: FieldError[]): string | null | undefined {
  if (value === undefined || value === null) return value as null | undefined;
  if (typeof value !== 'string' || value.length > 500) {
    errors.push({ field: 'description', code: 'type', message: 'A string of at most 500 characters' });
    return undefined;
  }
  return value.trim() || null;
}

export function parseInstant(value: unknown, field: string, errors: FieldError[]): Date | undefined {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    errors.push({ field, code: 'invalid', message: 'An ISO 8601 date-time, e.g. 2026-05-01T00:00:00Z' });
    return undefined;
  }
  return new Date(Date.parse(value));
}

export async function load(platform: Platform, id: string): Promise<SubscriptionRow> {
  if (!UUID.test(id)) throw notFound(`Webhook ${id.slice(0, 40)}`);
  const r = await sql<SubscriptionRow>`SELECT * FROM webhook_subscription WHERE id = ${id}`.execute(platform.db);
  if (!r.rows[0]) throw notFound(`Webhook ${id}`);
  return r.rows[0];
}
