import path from 'node:path';
import type { Config } from '../../../platform/config.ts';
import type { Platform } from '../../../platform/kernel.ts';
import type { SettingValues } from '../../../platform/settings.ts';
import { activitySettings } from '../settings.ts';
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

type Values = SettingValues<typeof activitySettings.specs>;

/**
 * Attachment settings from the module's settings (activities/settings.ts). Files go to
 * `<dataDir>/files` unless an S3 endpoint or bucket is configured.
 */
export function loadAttachmentSettings(config: Pick<Config, 'dataDir'>, values: Values): AttachmentSettings {
  return {
    store: storeFrom(config, values),
    maxBytes: values.uploadMaxBytes,
    allowedTypes: parseAllowedTypes(values.uploadAllowedTypes),
    scanner: values.clamavUrl ? clamavScanner(values.clamavUrl) : undefined,
    spoolDir: path.resolve(values.uploadTmpDir || path.join(config.dataDir, 'tmp')),
  };
}

function storeFrom(config: Pick<Config, 'dataDir'>, v: Values): FileStore {
  if (!v.s3Endpoint && !v.s3Bucket) return new DiskStore(path.join(config.dataDir, 'files'));
  const missing = Object.entries({ MERIDIAN_FILES_S3_ENDPOINT: v.s3Endpoint, MERIDIAN_FILES_S3_BUCKET: v.s3Bucket, MERIDIAN_FILES_S3_ACCESS_KEY_ID: v.s3AccessKeyId, MERIDIAN_FILES_S3_SECRET_ACCESS_KEY: v.s3SecretAccessKey })
    .filter(([, value]) => !value)
    .map(([k]) => k);
  if (missing.length) throw new Error(`S3 file storage needs ${missing.join(', ')}`);
  return new S3Store({ endpoint: v.s3Endpoint!, bucket: v.s3Bucket!, region: v.s3Region, accessKeyId: v.s3AccessKeyId!, secretAccessKey: v.s3SecretAccessKey! });
}

// Per platform rather than module-level, so tests can boot several platforms side by side.
const settingsOf = new WeakMap<Platform, AttachmentSettings>();

export function attachmentSettings(platform: Platform): AttachmentSettings {
  let s = settingsOf.get(platform);
  if (!s) {
    s = loadAttachmentSettings(platform.config, activitySettings.of(platform));
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
