import { sql, type Kysely } from 'kysely';
import { uuidv7 } from '../ids.ts';
import { badRequest } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import type { Actor } from '../records/context.ts';
import { assertAdmin } from '../access/policy.ts';
import { decodeCursor, encodeCursor } from '../records/cursor.ts';

/**
 * The audit log (PLT-5): who did what to the system — sign-ins, tokens, metadata, webhooks.
 * Record changes have their own field history (records/history.ts). Append-only: nothing in the
 * API edits or deletes an entry, and a trigger refuses UPDATE and DELETE in the database.
 *
 * Actions (stable strings, filterable by prefix `auth.*`):
 *   auth.login.succeeded  auth.login.failed (details.reason: bad_credentials | locked_out)
 *   auth.lockout          auth.logout
 *   token.created         token.revoked
 *   metadata.object.created|updated|deleted   metadata.field.created|updated|deleted
 *   metadata.rule.created|updated|deleted     metadata.restored   metadata.purged
 *   webhook.created|updated|deleted|disabled|replayed
 *   records.exported (details: object, format, rows, completed, view, filter, sort, fields)
 *   oauth.client.created|secret_rotated|revoked   oauth.token.issued   (integration clients, auth/oauth/)
 *   sso.provider.created|updated|deleted   auth.sso.user_created   auth.password_sign_in.enabled|disabled
 *   (single sign-on, auth/sso/; its sign-ins are auth.login.succeeded|failed with details.method = 'sso')
 */
export interface AuditEntry {
  action: string;
  actor?: Pick<Actor, 'userId' | 'via'> | null;
  /** Who it is about when there is no actor yet (the e-mail of a failed sign-in). */
  actorLabel?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  target?: { type: string; id: string } | null;
  details?: Record<string, unknown>;
}

/** Appends one entry; pass the transaction of the change it records so both commit together. */
export async function writeAudit(db: Kysely<any>, entry: AuditEntry): Promise<void> {
  await sql`INSERT INTO audit_log (id, action, actor_id, actor_via, actor_label, ip, user_agent, target_type, target_id, details)
    VALUES (${uuidv7()}, ${entry.action}, ${entry.actor?.userId ?? null}::uuid, ${entry.actor?.via ?? null}, ${entry.actorLabel?.slice(0, 320) ?? null},
      ${entry.ip ?? null}, ${entry.userAgent?.slice(0, 300) ?? null}, ${entry.target?.type ?? null}, ${entry.target?.id ?? null},
      ${JSON.stringify(entry.details ?? {})}::jsonb)`.execute(db);
}

interface AuditRow {
  seq: string;
  id: string;
  occurred_at: Date;
  action: string;
  actor_id: string | null;
  actor_via: string | null;
  actor_label: string | null;
  ip: string | null;
  user_agent: string | null;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z_]+(\.[a-z_]+)*(\.\*)?$|^\*$/;

function parseTime(value: string | undefined, field: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badRequest(`${field} must be an ISO 8601 date-time`, [{ field, code: 'invalid', message: 'Use e.g. 2026-05-01T00:00:00Z' }]);
  return new Date(t);
}

/** GET /api/v1/audit-log: newest first, keyset-paginated; filters action, actor, from, to. */
export async function listAuditLog(args: { platform: Platform; actor: Actor; query: Record<string, string | undefined> }) {
  assertAdmin(args.actor, 'Only administrators can read the audit log');
  const q = args.query;
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badRequest('limit must be between 1 and 200', [{ field: 'limit', code: 'out_of_range', message: 'Between 1 and 200' }]);
  const actions = (q.action ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of actions) {
    if (!ACTION.test(a) || a.length > 100) throw badRequest('action is not valid', [{ field: 'action', code: 'invalid', message: "An action such as 'auth.login.failed', a prefix such as 'auth.*', or a comma-separated list" }]);
  }
  if (q.actor !== undefined && !UUID.test(q.actor)) throw badRequest('actor must be a user id', [{ field: 'actor', code: 'invalid', message: 'A user id (uuid)' }]);
  const from = parseTime(q.from, 'from');
  const to = parseTime(q.to, 'to');
  const queryKey = JSON.stringify({ actions, actor: q.actor ?? null, from: from?.toISOString() ?? null, to: to?.toISOString() ?? null });
  const after = q.cursor ? String(decodeCursor(args.platform.signingKey, q.cursor, `audit:${queryKey}`, 1)[0]) : undefined;
  if (after !== undefined && !/^\d+$/.test(after)) throw badRequest('The cursor is not valid', [{ field: 'cursor', code: 'invalid_cursor', message: 'Use nextCursor unchanged' }]);
  const conditions = [sql`true`];
  if (actions.length && !actions.includes('*')) {
    conditions.push(sql`(${sql.join(actions.map((a) => (a.endsWith('.*') ? sql`action LIKE ${`${a.slice(0, -1)}%`}` : sql`action = ${a}`)), sql` OR `)})`);
  }
  if (q.actor) conditions.push(sql`actor_id = ${q.actor}::uuid`);
  if (from) conditions.push(sql`occurred_at >= ${from}`);
  if (to) conditions.push(sql`occurred_at < ${to}`);
  if (after) conditions.push(sql`seq < ${after}::bigint`);
  const r = await sql<AuditRow>`SELECT * FROM audit_log WHERE ${sql.join(conditions, sql` AND `)} ORDER BY seq DESC LIMIT ${limit + 1}`.execute(args.platform.db);
  const page = r.rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((e) => ({
      id: e.id,
      occurredAt: new Date(e.occurred_at).toISOString(),
      action: e.action,
      actor: e.actor_id || e.actor_label ? { id: e.actor_id, via: e.actor_via, label: e.actor_label } : null,
      ip: e.ip,
      userAgent: e.user_agent,
      target: e.target_type ? { type: e.target_type, id: e.target_id } : null,
      details: e.details,
    })),
    nextCursor: r.rows.length > limit && last ? encodeCursor(args.platform.signingKey, [String(last.seq)], `audit:${queryKey}`) : null,
  };
}

