import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import { leadCaptureSettings } from './settings.ts';

/**
 * Spam protection without third parties (issue 14 item 8): a honeypot field, a signed timestamp
 * token issued with the form (minimum time to submit, one submission per token), a per-IP limit
 * in this module's table, and an optional proof-of-work (hashcash over the token: SHA-256 with
 * `bits` leading zero bits, solved by the visitor's browser). Blocked attempts are counted per
 * form and reason and create nothing.
 */
export type BlockReason = 'honeypot' | 'too_fast' | 'expired' | 'invalid_token' | 'replay' | 'pow' | 'rate_limit';

/** The name of the honeypot input: hidden from people, filled in by bots that fill every field. */
export const HONEYPOT = 'website_url';

const sign = (platform: Platform, payload: string) => createHmac('sha256', platform.signingKey).update(`leadform:${payload}`).digest('base64url');

/** `<form id>.<issued ms>.<random>.<mac>`: ties a submission to the form and the moment it was loaded. */
export function issueFormToken(platform: Platform, formId: string, now = Date.now()): string {
  const payload = `${formId}.${now}.${randomBytes(9).toString('base64url')}`;
  return `${payload}.${sign(platform, payload)}`;
}

/** The token's issue time, or the reason it is refused. */
export function checkFormToken(platform: Platform, formId: string, token: string, minSeconds: number, now = Date.now()): { issuedAt: number } | { blocked: BlockReason } {
  const parts = token.split('.');
  if (parts.length !== 4) return { blocked: 'invalid_token' };
  const payload = parts.slice(0, 3).join('.');
  const mac = Buffer.from(parts[3]!);
  const expected = Buffer.from(sign(platform, payload));
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected) || parts[0] !== formId) return { blocked: 'invalid_token' };
  const issuedAt = Number(parts[1]);
  if (now - issuedAt < minSeconds * 1000) return { blocked: 'too_fast' };
  if (now - issuedAt > leadCaptureSettings.of(platform).tokenHours * 3_600_000) return { blocked: 'expired' };
  return { issuedAt };
}

function leadingZeroBits(hash: Buffer): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Whether `nonce` solves the challenge of `token` (sha256("<token>:<nonce>") starts with `bits` zero bits). */
export function checkProofOfWork(token: string, nonce: string | undefined, bits: number): boolean {
  if (!nonce || nonce.length > 32) return false;
  return leadingZeroBits(createHash('sha256').update(`${token}:${nonce}`).digest()) >= bits;
}

/** What the browser runs (and the tests): the smallest nonce that solves the challenge. */
export function solveProofOfWork(token: string, bits: number): string {
  for (let n = 0; ; n++) if (checkProofOfWork(token, String(n), bits)) return String(n);
}

/** Counts one submission from `ip` in the current hour; true when over the limit. Its own statement: it stays counted whatever the request does next. */
export async function overRateLimit(platform: Platform, ip: string): Promise<boolean> {
  const max = leadCaptureSettings.of(platform).rateLimit;
  if (max <= 0) return false;
  const r = await sql<{ n: number }>`INSERT INTO leadcapture_rate (ip, window_start, n) VALUES (${ip}, date_trunc('hour', now()), 1)
    ON CONFLICT (ip, window_start) DO UPDATE SET n = leadcapture_rate.n + 1 RETURNING n`.execute(platform.db);
  return Number(r.rows[0]!.n) > max;
}

/** Marks a token used; false when it was used before (inside the submission's transaction: a failed submission leaves it usable). */
export async function useToken(db: Kysely<any>, token: string): Promise<boolean> {
  const hash = createHash('sha256').update(token).digest('base64url');
  const r = await sql`INSERT INTO leadcapture_used_token (token_hash) VALUES (${hash}) ON CONFLICT DO NOTHING RETURNING token_hash`.execute(db);
  return r.rows.length === 1;
}

export async function countBlocked(platform: Platform, formId: string, reason: BlockReason): Promise<void> {
  await sql`INSERT INTO leadcapture_blocked (form_id, reason, n) VALUES (${formId}::uuid, ${reason}, 1)
    ON CONFLICT (form_id, reason) DO UPDATE SET n = leadcapture_blocked.n + 1, last_at = now()`.execute(platform.db);
}

export async function blockedCounts(db: Kysely<any>, formId: string): Promise<Record<string, number>> {
  const r = await sql<{ reason: string; n: string }>`SELECT reason, n::text FROM leadcapture_blocked WHERE form_id = ${formId}::uuid`.execute(db);
  return Object.fromEntries(r.rows.map((x) => [x.reason, Number(x.n)]));
}

/** Housekeeping: rate windows and used tokens older than a token can live. */
export async function pruneSpamTables(platform: Platform): Promise<void> {
  const hours = leadCaptureSettings.of(platform).tokenHours + 1;
  await sql`DELETE FROM leadcapture_rate WHERE window_start < now() - make_interval(hours => 2)`.execute(platform.db);
  await sql`DELETE FROM leadcapture_used_token WHERE used_at < now() - make_interval(hours => ${hours})`.execute(platform.db);
}
