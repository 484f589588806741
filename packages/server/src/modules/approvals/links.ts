import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AppError, notFound } from '../../platform/errors.ts';
import type { TxContext } from '../../platform/records/context.ts';
import { approvalSettings } from './settings.ts';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
/** 32 random bytes: unguessable; only the hash is stored, so a database reader cannot use a link. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** A new single-use link token for one approver's pending step result; answers the token (to put in the e-mail, never stored). */
export async function issueLink(ctx: TxContext, stepResultId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const hours = approvalSettings.of(ctx.platform).linkHours;
  await sql`INSERT INTO approval_link (token_hash, step_result_id, expires_at) VALUES (${hash(token)}, ${stepResultId}::uuid, now() + make_interval(hours => ${hours}))`.execute(ctx.trx);
  return token;
}

/**
 * Takes a link for use, in the caller's transaction (row-locked, so two clicks cannot both
 * pass): a token that was never issued → 404, used → 409 `link_used`, past its time → 410
 * `link_expired`. Answers the step result it stands for; the caller marks it used with useLink
 * once the decision is written, so a refused decision leaves the link usable.
 */
export async function takeLink(ctx: TxContext, token: string): Promise<{ stepResultId: string; tokenHash: string }> {
  if (!TOKEN_RE.test(token)) throw notFound('This approval link');
  const tokenHash = hash(token);
  const r = await sql<{ step_result_id: string; used_at: Date | null; expired: boolean }>`SELECT step_result_id, used_at, expires_at < now() AS expired
    FROM approval_link WHERE token_hash = ${tokenHash} FOR UPDATE`.execute(ctx.trx);
  const row = r.rows[0];
  if (!row) throw notFound('This approval link');
  if (row.used_at) throw new AppError('link_used', 'This approval link was used already; each link works once. Open the request in Meridian to see its state.');
  if (row.expired) throw new AppError('link_expired', 'This approval link has expired. Open the request in Meridian to approve or reject it.');
  return { stepResultId: row.step_result_id, tokenHash };
}

export async function useLink(ctx: TxContext, tokenHash: string): Promise<void> {
  await sql`UPDATE approval_link SET used_at = now() WHERE token_hash = ${tokenHash}`.execute(ctx.trx);
}

/** Once an approver's part is settled (by link, web app, or the step closing), their other links stop working. */
export async function retireLinks(ctx: TxContext, stepResultIds: string[]): Promise<void> {
  if (!stepResultIds.length) return;
  await sql`UPDATE approval_link SET used_at = coalesce(used_at, now()) WHERE step_result_id = ANY(${stepResultIds}::uuid[])`.execute(ctx.trx);
}
