import { createHash, randomBytes } from 'node:crypto';

/** Opaque secrets (session ids, API tokens, setup links) are random; only their SHA-256 is stored. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
