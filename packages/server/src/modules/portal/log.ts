import { sql, type Kysely } from 'kysely';
import { uuidv7 } from '../../platform/ids.ts';
import type { Platform } from '../../platform/kernel.ts';

/**
 * The portal access log staff read on the contact page: sign-ins, invitations, revocations, the
 * pages a contact opened and what they did, with time and IP address. The portal's own table,
 * written in the action's transaction when there is one.
 */
export interface AccessLogEntry {
  action: string;
  detail?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export async function logPortalAccess(db: Kysely<any>, contactId: string, entry: AccessLogEntry): Promise<void> {
  await sql`INSERT INTO portal_access_log (id, contact_id, action, detail, ip, user_agent)
    VALUES (${uuidv7()}, ${contactId}::uuid, ${entry.action}, ${entry.detail?.slice(0, 500) ?? null}, ${entry.ip ?? null}, ${entry.userAgent?.slice(0, 300) ?? null})`.execute(db);
}

export interface AccessLogRow {
  id: string;
  at: string;
  action: string;
  detail: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** A contact's log, newest first (up to `limit` entries). */
export async function readAccessLog(platform: Platform, contactId: string, limit = 100): Promise<AccessLogRow[]> {
  const r = await sql<{ id: string; occurred_at: Date; action: string; detail: string | null; ip: string | null; user_agent: string | null }>`
    SELECT id, occurred_at, action, detail, ip, user_agent FROM portal_access_log WHERE contact_id = ${contactId}::uuid
    ORDER BY occurred_at DESC, id DESC LIMIT ${limit}`.execute(platform.db);
  return r.rows.map((x) => ({ id: x.id, at: new Date(x.occurred_at).toISOString(), action: x.action, detail: x.detail, ip: x.ip, userAgent: x.user_agent }));
}
