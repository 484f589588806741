import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The intake signature (docs/intake-formats.md), in the style of Stripe and Standard Webhooks:
 *
 *   X-Meridian-Signature: t=1718000000,v1=5f0c…(64 hex)
 *
 * v1 is the hex HMAC-SHA256, keyed with the source's secret, of `<t>.` followed by the raw body
 * bytes. The timestamp is signed too, so an old request cannot be replayed with a fresh `t`; one
 * older (or newer) than the tolerance is refused as `expired`. During a secret rotation the shop
 * sends one v1 per secret (`t=…,v1=<new>,v1=<old>`), and the source may hold several secrets:
 * any pair that matches passes. Comparison is constant-time. A replay inside the tolerance window
 * carries the same order id, which the order pipeline takes only once.
 */

export const SIGNATURE_HEADER = 'x-meridian-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'expired' };

export interface VerifyInput {
  /** The source's secret, or several during a rotation. An empty secret never verifies. */
  secret: string | readonly string[];
  /** The header value as received (repeated headers are joined). */
  header: string | readonly string[] | undefined;
  /** The raw body bytes, exactly as received. */
  body: Buffer;
  now?: Date;
  toleranceSeconds?: number;
}

function hmac(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** Parses `t=…,v1=…[,v1=…]`; other schemes (v0, v2…) are ignored. */
function parseHeader(header: string): { timestamp: string; signatures: Buffer[] } | undefined {
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestamp = value;
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return undefined;
      if (signatures.length < 8) signatures.push(Buffer.from(value, 'hex'));
    }
  }
  return timestamp !== undefined && signatures.length > 0 ? { timestamp, signatures } : undefined;
}

/** Checks a request's signature header against the raw body. */
export function verifySignature({ secret, header, body, now = new Date(), toleranceSeconds = DEFAULT_TOLERANCE_SECONDS }: VerifyInput): SignatureCheck {
  const value = typeof header === 'string' ? header : header?.join(',');
  if (value === undefined || value.trim() === '') return { ok: false, reason: 'missing' };
  if (value.length > 2048) return { ok: false, reason: 'malformed' };
  const parsed = parseHeader(value);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const secrets = (typeof secret === 'string' ? [secret] : [...secret]).filter((s) => s.length > 0);
  let matched = false;
  for (const key of secrets) {
    const expected = hmac(key, parsed.timestamp, body);
    // Every candidate is compared (no early exit), each comparison in constant time.
    for (const candidate of parsed.signatures) matched = timingSafeEqual(expected, candidate) || matched;
  }
  if (!matched) return { ok: false, reason: 'mismatch' };
  const age = Math.abs(Math.floor(now.getTime() / 1000) - Number(parsed.timestamp));
  if (age > toleranceSeconds) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** The header value a shop sends for `body` (tests, docs, and the admin page's "try it"). One v1 per secret. */
export function signBody({ secret, body, now = new Date() }: { secret: string | readonly string[]; body: Buffer | string; now?: Date }): string {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmac(s, timestamp, bytes).toString('hex')}`)].join(',');
}
