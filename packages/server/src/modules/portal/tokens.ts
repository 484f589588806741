import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The portal's secrets. A sign-in token carries 256 random bits (base64url, 43 characters); a
 * session id too. Only their SHA-256 is stored. The CSRF token is derived from the session id
 * with the installation's signing key, so it needs no storage and dies with the session.
 */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export const newToken = () => randomBytes(32).toString('base64url');
export const isWellFormedToken = (token: string) => TOKEN_RE.test(token);
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function csrfTokenOf(signingKey: Buffer, sessionId: string): string {
  return createHmac('sha256', signingKey).update(`portal-csrf:${sessionId}`).digest('base64url');
}

export function csrfMatches(signingKey: Buffer, sessionId: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenOf(signingKey, sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
