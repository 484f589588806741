import path from 'node:path';
import type { Config } from '../../../platform/config.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { clamavScanner } from './clamav.ts';
import { parseAllowedTypes } from './policy.ts';
import type { UploadScanner } from './scan.ts';
import { DiskStore } from './storage/disk.ts';
import { S3Store } from './storage/s3.ts';
import type { FileStore } from './storage/types.ts';

export interface AttachmentSettings {
  store: FileStore;
  /** Largest accepted file (MERIDIAN_UPLOAD_MAX_BYTES, default 25 MiB). */
  maxBytes: number;
  /** Detected content types that may be stored (MERIDIAN_UPLOAD_ALLOWED_TYPES, comma-separated). */
  allowedTypes: Set<string>;
  /** Virus scanner; undefined = uploads are not scanned. */
  scanner: UploadScanner | undefined;
  /** Where uploads wait while they are checked (MERIDIAN_UPLOAD_TMP_DIR, default <dataDir>/tmp). */
  spoolDir: string;
}

export const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;

/**
 * Attachment settings from the environment. Kept out of platform/config.ts: only this feature
 * reads them. Files go to `<dataDir>/files` unless an S3 endpoint or bucket is configured.
 */
export function loadAttachmentSettings(config: Pick<Config, 'dataDir'>, env: NodeJS.ProcessEnv = process.env): AttachmentSettings {
  const maxBytes = env.MERIDIAN_UPLOAD_MAX_BYTES ? Number(env.MERIDIAN_UPLOAD_MAX_BYTES) : DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new Error(`MERIDIAN_UPLOAD_MAX_BYTES must be a positive number of bytes, got ${env.MERIDIAN_UPLOAD_MAX_BYTES}`);
  return {
    store: storeFrom(config, env),
    maxBytes,
    allowedTypes: parseAllowedTypes(env.MERIDIAN_UPLOAD_ALLOWED_TYPES),
    scanner: env.MERIDIAN_CLAMAV_URL ? clamavScanner(env.MERIDIAN_CLAMAV_URL) : undefined,
    spoolDir: path.resolve(env.MERIDIAN_UPLOAD_TMP_DIR || path.join(config.dataDir, 'tmp')),
  };
}

function storeFrom(config: Pick<Config, 'dataDir'>, env: NodeJS.ProcessEnv): FileStore {
  if (!env.MERIDIAN_FILES_S3_ENDPOINT && !env.MERIDIAN_FILES_S3_BUCKET) return new DiskStore(path.join(config.dataDir, 'files'));
  const missing = ['MERIDIAN_FILES_S3_ENDPOINT', 'MERIDIAN_FILES_S3_BUCKET', 'MERIDIAN_FILES_S3_ACCESS_KEY_ID', 'MERIDIAN_FILES_S3_SECRET_ACCESS_KEY'].filter((k) => !env[k]);
  if (missing.length) throw new Error(`S3 file storage needs ${missing.join(', ')}`);
  return new S3Store({
    endpoint: env.MERIDIAN_FILES_S3_ENDPOINT!,
    bucket: env.MERIDIAN_FILES_S3_BUCKET!,
    region: env.MERIDIAN_FILES_S3_REGION || 'us-east-1',
    accessKeyId: env.MERIDIAN_FILES_S3_ACCESS_KEY_ID!,
    secretAccessKey: env.MERIDIAN_FILES_S3_SECRET_ACCESS_KEY!,
  });
}

// Per platform rather than module-level, so tests can boot several platforms side by side.
const settingsOf = new WeakMap<Platform, AttachmentSettings>();

export function attachmentSettings(platform: Platform): AttachmentSettings {
  let s = settingsOf.get(platform);
  if (!s) {
    s = loadAttachmentSettings(platform.config);
    settingsOf.set(platform, s);
  }
  return s;
}

/** Replaces settings for one platform: another store, limits, or a scanner (tests, embedding operators). */
export function configureAttachments(platform: Platform, overrides: Partial<AttachmentSettings>): AttachmentSettings {
  const s = { ...attachmentSettings(platform), ...overrides };
  settingsOf.set(platform, s);
  return s;
}

/** The virus-scan hook point: modules or operators plug in their scanner (or undefined for none). */
export function setUploadScanner(platform: Platform, scanner: UploadScanner | undefined): void {
  configureAttachments(platform, { scanner });
}
