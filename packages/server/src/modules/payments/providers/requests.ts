import { sql } from 'kysely';
import { asSystem, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { notifyUser, pingNotificationStreams } from '../../../platform/notifications/store.ts';
import { isBlank, readRecord } from '../../billing/index.ts';

export const REQUEST = 'payment_request';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID_RE.test(s);

export interface RequestedInvoice {
  invoice: string;
  number: string;
  amount: string;
}

export function requestedInvoices(request: ApiRecord): RequestedInvoice[] {
  try {
    const list = JSON.parse(String(request.invoices ?? '[]')) as RequestedInvoice[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/**
 * Locks a payment request (FOR UPDATE) and reads it: by id, else by the provider's session, else by
 * the provider's payment id. Every writer of a request — webhook events, refunds — takes this lock
 * first, so two events about one payment apply one after the other.
 */
export async function lockRequest(ctx: TxContext, by: { provider: string; id?: string | undefined; sessionId?: string | undefined; paymentId?: string | undefined }): Promise<ApiRecord | null> {
  const table = sql.table(ctx.platform.registry.requireObject(REQUEST).table);
  const conditions = [];
  if (isUuid(by.id)) conditions.push(sql`id = ${by.id}::uuid`);
  if (by.sessionId) conditions.push(sql`(provider = ${by.provider} AND provider_session_id = ${by.sessionId})`);
  if (by.paymentId) conditions.push(sql`(provider = ${by.provider} AND provider_payment_id = ${by.paymentId})`);
  if (conditions.length === 0) return null;
  const r = await sql<{ id: string }>`SELECT id FROM ${table} WHERE deleted_at IS NULL AND (${sql.join(conditions, sql` OR `)}) ORDER BY created_at LIMIT 1 FOR UPDATE`.execute(ctx.trx);
  const id = r.rows[0]?.id;
  return id ? getRecord({ ctx: asSystem(ctx), object: ctx.platform.registry.requireObject(REQUEST), id }) : null;
}

/** Meridian's own change of a request (its fields are read-only to clients). */
export function setRequest(ctx: RecordContext, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return updateRecord({ ctx: asSystem(ctx), object: ctx.platform.registry.requireObject(REQUEST), id, input: {}, options: { systemValues: values } });
}

/**
 * Tells staff that money came in that Meridian did not apply: the user who started the request
 * (if staff) and the account's owner, in the transaction, pinged after commit.
 */
export async function notifyHeld(ctx: TxContext, request: ApiRecord, title: string, body: string): Promise<void> {
  const users = new Set<string>();
  if (!isBlank(request.requested_by)) users.add(String(request.requested_by));
  const account = isBlank(request.account) ? null : await readRecord(asSystem(ctx), 'account', String(request.account), ['owner']).catch(() => null);
  if (account && !isBlank(account.owner)) users.add(String(account.owner));
  let any = false;
  for (const userId of users) {
    const id = await notifyUser(ctx.trx, { userId, kind: 'payment_request.held', object: REQUEST, recordId: request.id, occurrence: title, title, body, data: { request: request.id } });
    any ||= Boolean(id);
  }
  if (any) ctx.uow.afterCommit(() => pingNotificationStreams(ctx.platform.db));
}
