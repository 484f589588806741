import { rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { uuidv7 } from '../../../platform/ids.ts';
import { AppError } from '../../../platform/errors.ts';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { objectOf } from '../context.ts';
import { REGARDING } from '../objects.ts';
import { attachmentSettings } from './config.ts';
import { detectContentType, sanitizeFileName } from './policy.ts';
import type { SpooledUpload } from './receive.ts';
import { scanInput } from './scan.ts';

/** A file checked, scanned and stored under `key`, waiting for its attachment record. */
export interface StoredFile {
  key: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** description, document_type, expires_on as sent (empty values left out). */
  fields: Record<string, string>;
}


const isRegarding = (object: string) => (REGARDING as readonly string[]).includes(object);

/**
 * Checked before the body is read, so an upload to a record the user cannot see is refused
 * without storing anything: the record must be readable (404) and the user may create attachments
 * (and, for objects without a typed lookup, the link to them).
 */
export async function assertCanAttach(args: { ctx: RecordContext; object: string; id: string }): Promise<void> {
  const object = objectOf(args.ctx, args.object);
  await getRecord({ ctx: args.ctx, object, id: args.id, fields: ['id'] });
  assertObjectPermission(args.ctx.actor, objectOf(args.ctx, 'attachment'), 'create');
  if (!isRegarding(object.apiName)) assertObjectPermission(args.ctx.actor, objectOf(args.ctx, 'activity_link'), 'create');
}

/**
 * Type check, virus scan, then the bytes into the store under a new key. Runs before the
 * transaction so that no database transaction stays open while a file travels to S3; an
 * infected or refused file never reaches the store.
 */
export async function storeUpload(platform: Platform, upload: SpooledUpload): Promise<StoredFile> {
  const settings = attachmentSettings(platform);
  const fileName = sanitizeFileName(upload.fileName);
  const contentType = await detectContentType({ path: upload.path, head: upload.head, fileName, allowed: settings.allowedTypes });
  if (settings.scanner) {
    let result;
    try {
      result = await settings.scanner(scanInput({ fileName, contentType, size: upload.size, path: upload.path }));
    } catch (error) {
      platform.logger.error({ err: error }, 'virus scanner unavailable; upload refused');
      throw new AppError('unavailable', 'The virus scanner is not available; try again later', {
        errors: [{ field: 'file', code: 'scanner_unavailable', message: 'The file could not be scanned' }],
      });
    }
    if (!result.clean) {
      platform.logger.warn({ fileName, reason: result.reason }, 'infected upload refused');
      throw new AppError('rule_violation', `The file was refused by the virus scanner: ${result.reason}`, {
        errors: [{ field: 'file', code: 'infected', message: result.reason }],
      });
    }
  }
  const key = uuidv7();
  try {
    await settings.store.put(key, createReadStream(upload.path), { contentType, size: upload.size, sha256: upload.sha256 });
  } catch (error) {
    await discardBlob(platform, key);
    throw error;
  }
  return { key, fileName, contentType, size: upload.size, sha256: upload.sha256, fields: upload.fields };
}

/**
 * One transaction: the attachment record, filed under the record through its typed lookup
 * (account, contact, lead, opportunity: cascades on delete, mirrored into activity_link by a
 * hook) or an activity_link record for any other object. Returns the attachment as GET does.
 */
export async function createAttachment(args: { ctx: RecordContext; object: string; id: string; file: StoredFile }): Promise<ApiRecord> {
  const object = objectOf(args.ctx, args.object);
  const attachment = objectOf(args.ctx, 'attachment');
  return inTransaction(args.ctx, async (ctx) => {
    const record = await getRecord({ ctx, object, id: args.id, fields: ['id'] });
    const input: Record<string, unknown> = { file_name: args.file.fileName };
    for (const [k, v] of Object.entries(args.file.fields)) if (v !== '') input[k] = v;
    if (isRegarding(object.apiName)) input[object.apiName] = record.id;
    // What the server found out about the file goes in as the read-only fields: clients can never choose them.
    const file = args.file;
    const created = await createRecord({ ctx, object: attachment, input, options: { systemValues: { content_type: file.contentType, size_bytes: file.size, sha256: file.sha256, storage_key: file.key } } });
    if (!isRegarding(object.apiName)) {
      await createRecord({ ctx, object: objectOf(ctx, 'activity_link'), input: { activity_object: 'attachment', activity_id: created.id, record_object: object.apiName, record_id: record.id } });
    }
    return getRecord({ ctx, object: attachment, id: created.id });
  });
}

/** Compensation when the record was not created: the blob must not stay behind. Never throws. */
export async function discardBlob(platform: Platform, key: string): Promise<void> {
  try {
    await attachmentSettings(platform).store.delete(key);
  } catch (error) {
    platform.logger.error({ err: error, key }, 'could not delete an attachment blob; it is orphaned');
  }
}

export async function removeSpool(upload: SpooledUpload): Promise<void> {
  await rm(upload.path, { force: true });
}
