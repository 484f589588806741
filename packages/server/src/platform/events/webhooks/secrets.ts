import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Webhook signing secrets. A secret must be usable for signing, so it cannot be hashed like an
 * API token: it is stored encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from the
 * server's signing key, with the subscription id as additional data so a ciphertext cannot be
 * moved to another row. Never log a secret or a decrypted key.
 */
export const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The first characters of a secret, shown in listings so an admin can tell secrets apart. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, SECRET_PREFIX.length + 4)}…`;
}

const keys = new WeakMap<Buffer, Buffer>();
function encryptionKey(signingKey: Buffer): Buffer {
  let k = keys.get(signingKey);
  if (!k) {
    k = Buffer.from(hkdfSync('sha256', signingKey, Buffer.alloc(0), 'meridian/webhook-secret/v1', 32));
    keys.set(signingKey, k);
  }
  return k;
}

export function encryptSecret(signingKey: Buffer, subscriptionId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(signingKey), iv);
  cipher.setAAD(Buffer.from(subscriptionId));
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
}

export function decryptSecret(signingKey: Buffer, subscriptionId: string, stored: string): string {
  if (!stored.startsWith('v1.')) throw new Error('Unknown webhook secret format');
  const raw = Buffer.from(stored.slice(3), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey(signingKey), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(subscriptionId));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** The HMAC key of a secret: the base64-decoded part after `whsec_` (Standard Webhooks). */
export function signingKeyOf(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64'));
}

/** `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. */
export function signPayload(key: KeyObject | Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
