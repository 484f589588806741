import { createHash, randomBytes } from 'node:crypto';

/** 192 random bits, URL-safe: a quote link cannot be guessed or enumerated. */
export function newLinkToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Only the hash is stored, so a database dump does not hand out working links. */
export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

/** Anything but a well-formed token is refused before the database is asked. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_RE.test(token);
}
