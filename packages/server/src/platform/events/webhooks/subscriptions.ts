import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, badRequest, notFound, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../../access/policy.ts';
import { parseCondition } from '../../query/index.ts';
import { decodeCursor, encodeCursor } from '../../records/cursor.ts';
import { writeAudit } from '../audit.ts';
import { eventFromRow, type OutboxRow } from '../outbox.ts';
import { insertDeliveries, matchDeliveries, type SubscriptionTarget } from './fanout.ts';
import { encryptSecret, newWebhookSecret, secretHint } from './secrets.ts';

/** The actions of record events; `<object>.<action>`. */
export const EVENT_ACTIONS = ['created', 'updated', 'deleted', 'restored'];
const PATTERN = /^(\*|[a-z][a-z0-9_]*)\.(\*|[a-z][a-z0-9_]*)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_REPLAY = 50_000;

interface SubscriptionRow {
  id: string;
  url: string;
  events: string[];
  condition: unknown;
  condition_object: string | null;
  description: string | null;
  active: boolean;
  secret_hint: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  disabled_at: Date | null;
  disabled_reason: string | null;
  failing_since: Date | null;
  consecutive_dead_letters: number;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

function present(s: SubscriptionRow) {
  return {
    id: s.id,
    url: s.url,
    events: s.events,
    condition: s.condition ?? null,
    description: s.description,
    active: s.active,
    secretHint: s.secret_hint,
    createdBy: s.created_by,
    createdAt: iso(s.created_at),
    updatedAt: iso(s.updated_at),
    disabledAt: iso(s.disabled_at),
    disabledReason: s.disabled_reason,
    failingSince: iso(s.failing_since),
    consecutiveDeadLetters: s.consecutive_dead_letters,
  };
}

function assertBody(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw validationFailed([{ field: '', code: 'type', message: 'Send a JSON object' }]);
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !['url', 'events', 'condition', 'active', 'description'].includes(k));
  if (unknown.length) throw validationFailed(unknown.map((k) => ({ field: k.slice(0, 64), code: 'unknown_property', message: `Unknown property '${k.slice(0, 64)}'` })));
  return body;
}

function validateUrl(value: unknown, errors: FieldError[]): string | undefined {
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

function validateEvents(platform: Platform, value: unknown, errors: FieldError[]): string[] | undefined {
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
    if (m[2] !== '*' && !EVENT_ACTIONS.includes(m[2]!)) return errors.push({ field, code: 'unknown_event', message: `Unknown action '${m[2]}'; one of ${EVENT_ACTIONS.join(', ')} or *` });
    out.push(p);
  });
  return [...new Set(out)];
}

/** A condition is about the fields of one object, so its events must all name that object. */
function validateCondition(platform: Platform, value: unknown, events: string[], errors: FieldError[]): { condition: unknown; object: string | null } | undefined {
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

function validateDescription(value: unknown, errors: FieldError[]): string | null | undefined {
  if (value === undefined || value === null) return value as null | undefined;
  if (typeof value !== 'string' || value.length > 500) {
    errors.push({ field: 'description', code: 'type', message: 'A string of at most 500 characters' });
    return undefined;
  }
  return value.trim() || null;
}

async function load(platform: Platform, id: string): Promise<SubscriptionRow> {
  if (!UUID.test(id)) throw notFound(`Webhook ${id.slice(0, 40)}`);
  const r = await sql<SubscriptionRow>`SELECT * FROM webhook_subscription WHERE id = ${id}`.execute(platform.db);
  if (!r.rows[0]) throw notFound(`Webhook ${id}`);
  return r.rows[0];
}

export async function listSubscriptions(args: { platform: Platform; actor: Actor }) {
  assertAdmin(args.actor, 'Only administrators can manage webhooks');
  const r = await sql<SubscriptionRow>`SELECT * FROM webhook_subscription ORDER BY created_at, id`.execute(args.platform.db);
  return { data: r.rows.map(present) };
}

export async function getSubscription(args: { platform: Platform; actor: Actor; id: string }) {
  assertAdmin(args.actor, 'Only administrators can manage webhooks');
  return present(await load(args.platform, args.id));
}

/** Creates a subscription; the answer carries the signing secret, shown this once. */
export async function createSubscription(args: { platform: Platform; actor: Actor; input: unknown }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  await platform.registry.ensureFresh();
  const body = assertBody(args.input);
  const errors: FieldError[] = [];
  const url = validateUrl(body.url, errors);
  const events = validateEvents(platform, body.events, errors);
  const cond = events ? validateCondition(platform, body.condition, events, errors) : undefined;
  const description = validateDescription(body.description, errors);
  if (body.active !== undefined && typeof body.active !== 'boolean') errors.push({ field: 'active', code: 'type', message: 'Must be true or false' });
  if (errors.length || !url || !events || !cond) throw validationFailed(errors);
  const id = uuidv7();
  const secret = newWebhookSecret();
  const row = await platform.db.transaction().execute(async (trx) => {
    const r = await sql<SubscriptionRow>`INSERT INTO webhook_subscription (id, url, events, condition, condition_object, description, active, secret_enc, secret_hint, created_by)
      VALUES (${id}, ${url}, ${events}::text[], ${cond.condition === null ? null : JSON.stringify(cond.condition)}::jsonb, ${cond.object}, ${description ?? null},
        ${body.active ?? true}, ${encryptSecret(platform.signingKey, id, secret)}, ${secretHint(secret)}, ${actor.userId}::uuid) RETURNING *`.execute(trx);
    await writeAudit(trx, { action: 'webhook.created', actor, target: { type: 'webhook', id }, details: { url, events, condition: cond.condition, active: body.active ?? true } });
    return r.rows[0]!;
  });
  return { ...present(row), secret };
}

export async function updateSubscription(args: { platform: Platform; actor: Actor; id: string; input: unknown }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  await platform.registry.ensureFresh();
  const current = await load(platform, args.id);
  const body = assertBody(args.input);
  const errors: FieldError[] = [];
  const url = body.url === undefined ? current.url : validateUrl(body.url, errors);
  const events = body.events === undefined ? current.events : validateEvents(platform, body.events, errors);
  let cond: { condition: unknown; object: string | null } | undefined = { condition: current.condition ?? null, object: current.condition_object };
  if (events && (body.condition !== undefined || body.events !== undefined)) {
    cond = validateCondition(platform, body.condition === undefined ? current.condition : body.condition, events, errors);
  }
  const description = body.description === undefined ? current.description : validateDescription(body.description, errors);
  if (body.active !== undefined && typeof body.active !== 'boolean') errors.push({ field: 'active', code: 'type', message: 'Must be true or false' });
  if (errors.length || !url || !events || !cond) throw validationFailed(errors);
  const active = (body.active as boolean | undefined) ?? current.active;
  const reactivated = active && !current.active;
  const row = await platform.db.transaction().execute(async (trx) => {
    const r = await sql<SubscriptionRow>`UPDATE webhook_subscription SET url = ${url}, events = ${events}::text[],
        condition = ${cond.condition === null ? null : JSON.stringify(cond.condition)}::jsonb, condition_object = ${cond.object}, description = ${description ?? null},
        active = ${active}, updated_at = now()
        ${reactivated ? sql`, disabled_at = NULL, disabled_reason = NULL, failing_since = NULL, consecutive_dead_letters = 0` : sql``}
        ${!active && current.active ? sql`, disabled_at = now(), disabled_reason = 'manual'` : sql``}
      WHERE id = ${current.id} RETURNING *`.execute(trx);
    if (reactivated) await sql`SELECT pg_notify('meridian_webhooks', '')`.execute(trx);
    await writeAudit(trx, { action: 'webhook.updated', actor, target: { type: 'webhook', id: current.id }, details: { changed: Object.keys(body), url, events, condition: cond.condition, active } });
    return r.rows[0]!;
  });
  return present(row);
}

export async function deleteSubscription(args: { platform: Platform; actor: Actor; id: string }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  const current = await load(platform, args.id);
  await platform.db.transaction().execute(async (trx) => {
    await sql`DELETE FROM webhook_subscription WHERE id = ${current.id}`.execute(trx);
    await writeAudit(trx, { action: 'webhook.deleted', actor, target: { type: 'webhook', id: current.id }, details: { url: current.url, events: current.events } });
  });
}

// ---- delivery log and replay ----

interface DeliveryRow {
  seq: string;
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  object: string;
  record_id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  response_code: number | null;
  duration_ms: number | null;
  error: string | null;
  replay_of: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const STATUSES = ['pending', 'delivering', 'retrying', 'succeeded', 'failed'];

function presentDelivery(d: DeliveryRow) {
  const open = ['pending', 'delivering', 'retrying'].includes(d.status);
  return {
    id: d.id,
    webhookId: d.subscription_id,
    eventId: d.event_id,
    eventType: d.event_type,
    object: d.object,
    recordId: d.record_id,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: open ? iso(d.next_attempt_at) : null,
    lastAttemptAt: iso(d.last_attempt_at),
    responseCode: d.response_code,
    durationMs: d.duration_ms,
    error: d.error,
    replayOf: d.replay_of,
    createdAt: iso(d.created_at),
    completedAt: iso(d.completed_at),
  };
}

/** GET /api/v1/webhooks/{id}/deliveries: newest first, keyset-paginated; `status` filters. */
export async function listDeliveries(args: { platform: Platform; actor: Actor; id: string; query: Record<string, string | undefined> }) {
  assertAdmin(args.actor, 'Only administrators can manage webhooks');
  const sub = await load(args.platform, args.id);
  const q = args.query;
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badRequest('limit must be between 1 and 200', [{ field: 'limit', code: 'out_of_range', message: 'Between 1 and 200' }]);
  const statuses = (q.status ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = statuses.find((s) => !STATUSES.includes(s));
  if (bad) throw badRequest('status is not valid', [{ field: 'status', code: 'invalid_choice', message: `One or more of ${STATUSES.join(', ')}` }]);
  if (q.eventId !== undefined && !UUID.test(q.eventId)) throw badRequest('eventId must be an event id', [{ field: 'eventId', code: 'invalid', message: 'A uuid' }]);
  const queryKey = `deliveries:${sub.id}:${statuses.join(',')}:${q.eventId ?? ''}`;
  const after = q.cursor ? String(decodeCursor(args.platform.signingKey, q.cursor, queryKey, 1)[0]) : undefined;
  if (after !== undefined && !/^\d+$/.test(after)) throw badRequest('The cursor is not valid', [{ field: 'cursor', code: 'invalid_cursor', message: 'Use nextCursor unchanged' }]);
  const r = await sql<DeliveryRow>`SELECT * FROM webhook_delivery WHERE subscription_id = ${sub.id}
    ${statuses.length ? sql`AND status = ANY(${statuses}::text[])` : sql``}
    ${q.eventId ? sql`AND event_id = ${q.eventId}::uuid` : sql``}
    ${after ? sql`AND seq < ${after}::bigint` : sql``}
    ORDER BY seq DESC LIMIT ${limit + 1}`.execute(args.platform.db);
  const page = r.rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(presentDelivery), nextCursor: r.rows.length > limit && last ? encodeCursor(args.platform.signingKey, [String(last.seq)], queryKey) : null };
}

/** Queues the event of a delivery again for its subscription (same webhook-id, new delivery row). */
export async function replayDelivery(args: { platform: Platform; actor: Actor; deliveryId: string }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  if (!UUID.test(args.deliveryId)) throw notFound('Delivery');
  return platform.db.transaction().execute(async (trx) => {
    const r = await sql<OutboxRow & { subscription_id: string; delivery_id: string }>`SELECT d.subscription_id, d.id AS delivery_id, e.seq, e.id, e.type, e.object, e.record_id, e.changes, e.actor, e.occurred_at
      FROM webhook_delivery d LEFT JOIN outbox_event e ON e.id = d.event_id WHERE d.id = ${args.deliveryId}`.execute(trx);
    const row = r.rows[0];
    if (!row) throw notFound(`Delivery ${args.deliveryId}`);
    if (!row.id) throw new AppError('conflict', 'The event of this delivery is no longer kept (older than the retention period)');
    const [id] = await insertDeliveries(trx, [{ event: eventFromRow(row), sub: { id: row.subscription_id } }], () => row.delivery_id);
    await writeAudit(trx, { action: 'webhook.replayed', actor, target: { type: 'webhook', id: row.subscription_id }, details: { delivery: row.delivery_id, event: row.id } });
    const d = await sql<DeliveryRow>`SELECT * FROM webhook_delivery WHERE id = ${id!}`.execute(trx);
    return presentDelivery(d.rows[0]!);
  });
}

function parseInstant(value: unknown, field: string, errors: FieldError[]): Date | undefined {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    errors.push({ field, code: 'invalid', message: 'An ISO 8601 date-time, e.g. 2026-05-01T00:00:00Z' });
    return undefined;
  }
  return new Date(Date.parse(value));
}

/**
 * POST /api/v1/webhooks/{id}/replay {from, to}: queues again every event in [from, to) that the
 * subscription matches today (types and condition), e.g. after its receiver was broken. Events
 * that still have an open delivery for it are skipped.
 */
export async function replayRange(args: { platform: Platform; actor: Actor; id: string; input: unknown }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  await platform.registry.ensureFresh();
  const sub = await load(platform, args.id);
  const body = (typeof args.input === 'object' && args.input !== null ? args.input : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const from = parseInstant(body.from, 'from', errors);
  const to = parseInstant(body.to, 'to', errors);
  if (from && to && from >= to) errors.push({ field: 'to', code: 'out_of_range', message: 'Must be after from' });
  if (errors.length) throw validationFailed(errors);
  const target: SubscriptionTarget = { id: sub.id, events: sub.events, condition: sub.condition ?? null, condition_object: sub.condition_object };
  const typeFilter = sub.events.includes('*')
    ? sql`true`
    : sql.join(sub.events.map((p) => {
        const [o, a] = p.split('.');
        if (o === '*') return sql`type LIKE ${`%.${a}`}`;
        if (a === '*') return sql`type LIKE ${`${o}.%`}`;
        return sql`type = ${p}`;
      }), sql` OR `);
  const queued = await platform.db.transaction().execute(async (trx) => {
    const r = await sql<OutboxRow>`SELECT e.seq, e.id, e.type, e.object, e.record_id, e.changes, e.actor, e.occurred_at FROM outbox_event e
      WHERE e.occurred_at >= ${from!} AND e.occurred_at < ${to!} AND (${typeFilter})
        AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.subscription_id = ${sub.id} AND d.event_id = e.id AND d.status IN ('pending', 'delivering', 'retrying'))
      ORDER BY e.seq LIMIT ${MAX_REPLAY + 1}`.execute(trx);
    if (r.rows.length > MAX_REPLAY) throw badRequest(`More than ${MAX_REPLAY} events in this range; replay a shorter one`, [{ field: 'to', code: 'too_many', message: 'Narrow the range' }]);
    let total = 0;
    for (let i = 0; i < r.rows.length; i += 1000) {
      const events = r.rows.slice(i, i + 1000).map(eventFromRow);
      const pairs = await matchDeliveries({ trx, platform, events, subs: [target] });
      total += (await insertDeliveries(trx, pairs)).length;
    }
    await writeAudit(trx, { action: 'webhook.replayed', actor, target: { type: 'webhook', id: sub.id }, details: { from: from!.toISOString(), to: to!.toISOString(), queued: total } });
    return total;
  });
  return { queued, from: from!.toISOString(), to: to!.toISOString(), active: sub.active };
}
