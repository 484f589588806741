import { sql, type Kysely } from 'kysely';
import { uuidv7 } from '../ids.ts';

/** Channel pinged after notifications are written, so the live streams' pollers wake early (hub.ts). */
export const NOTIFICATION_CHANNEL = 'meridian_notifications';

export interface NewNotification {
  userId: string;
  /** What happened, e.g. `reminder`, `escalation`, `webhook.disabled`. */
  kind: string;
  title: string;
  body: string;
  /** The record it is about, when there is one (the bell links to it). */
  object?: string;
  recordId?: string;
  /**
   * With object and record: the occurrence it is for (a reminder of one meeting occurrence).
   * (user, kind, object, record, occurrence) is written once: a second notify is a no-op.
   */
  occurrence?: string;
  data?: Record<string, unknown>;
  /** Written already read (the user turned in-app notifications off but the trace is kept). */
  read?: boolean;
}

/**
 * Writes one in-app notification in the caller's transaction (or connection) — the one table
 * every part of Meridian notifies users through: the bell, the list and the live stream read it.
 * Returns the new id, or null when the same (kind, record, occurrence) was notified before.
 * Callers ping NOTIFICATION_CHANNEL once after committing (pingNotificationStreams).
 */
export async function notifyUser(db: Kysely<any>, n: NewNotification): Promise<string | null> {
  const r = await sql<{ id: string }>`INSERT INTO user_notification (id, user_id, kind, object, record_id, occurrence, title, body, data, read_at)
    VALUES (${uuidv7()}, ${n.userId}::uuid, ${n.kind}, ${n.object ?? null}, ${n.recordId ?? null}::uuid, ${n.occurrence ?? null}, ${n.title}, ${n.body},
      ${JSON.stringify(n.data ?? {})}::jsonb, ${n.read ? sql`now()` : sql`NULL`})
    ON CONFLICT (user_id, kind, object, record_id, occurrence) DO NOTHING RETURNING id`.execute(db);
  return r.rows[0]?.id ?? null;
}

export async function markNotificationEmailed(db: Kysely<any>, id: string): Promise<void> {
  await sql`UPDATE user_notification SET emailed_at = now() WHERE id = ${id}::uuid`.execute(db);
}

/** Wakes the live streams of every process (they would find the rows on their next poll anyway). */
export async function pingNotificationStreams(db: Kysely<any>): Promise<void> {
  await sql`SELECT pg_notify(${NOTIFICATION_CHANNEL}, '')`.execute(db);
}
