import type { Readable } from 'node:stream';

/** What the store is told about a blob; sha256 (hex) lets S3 verify the upload end to end. */
export interface BlobInfo {
  contentType: string;
  size: number;
  sha256?: string;
}

/**
 * Where attachment bytes live. Keys are server-made UUIDv7s (never client input), so a key can
 * be used in a path or URL without escaping; drivers still refuse anything else.
 */
export interface FileStore {
  readonly kind: 'disk' | 's3';
  put(key: string, body: Readable | Buffer, info: BlobInfo): Promise<void>;
  /** The bytes, or undefined when there is no blob under the key. */
  get(key: string): Promise<Readable | undefined>;
  /** Deleting a missing blob is not an error (compensation and purges may repeat). */
  delete(key: string): Promise<void>;
}

const KEY_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function assertKey(key: string): void {
  if (!KEY_RE.test(key)) throw new Error(`Invalid storage key: ${JSON.stringify(key.slice(0, 64))}`);
}
