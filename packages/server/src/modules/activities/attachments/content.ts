import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { badRequest, notFound } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { objectOf, tableOf } from '../context.ts';
import { attachmentSettings } from './config.ts';

export interface AttachmentContent {
  stream: Readable;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Types a browser may show in place: they cannot run script in our origin. SVG is not one of them. */
export const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

/**
 * The bytes of an attachment. The record goes through getRecord first (object permission and
 * sharing, live records only), so a deleted or hidden attachment is a 404 like any record.
 */
export async function getAttachmentContent(args: { ctx: RecordContext; id: string; inline: boolean }): Promise<AttachmentContent> {
  const { ctx } = args;
  await getRecord({ ctx, object: objectOf(ctx, 'attachment'), id: args.id, fields: ['id'] });
  // Read directly: field-level security may hide storage_key from the reader, but not its bytes.
  const r = await sql<{ file_name: string; content_type: string; size_bytes: string; sha256: string; storage_key: string }>`SELECT file_name, content_type, size_bytes, sha256, storage_key
    FROM ${tableOf(ctx, 'attachment')} WHERE id = ${args.id}::uuid`.execute(ctx.platform.db);
  const row = r.rows[0];
  if (!row?.storage_key) throw notFound(`Attachment ${args.id}`);
  if (args.inline && !INLINE_TYPES.has(row.content_type)) {
    throw badRequest('Only images and PDFs can be shown inline', [{ field: 'inline', code: 'not_allowed', message: `${row.content_type} is downloaded as a file` }]);
  }
  const stream = await attachmentSettings(ctx.platform).store.get(row.storage_key);
  if (!stream) {
    ctx.platform.logger.error({ id: args.id, key: row.storage_key }, 'attachment blob missing from the store');
    throw notFound(`The file of attachment ${args.id}`);
  }
  return { stream, fileName: row.file_name, contentType: row.content_type, size: Number(row.size_bytes), sha256: row.sha256 };
}

/**
 * Content-Disposition for any file name (RFC 6266 / 5987): an ASCII fallback with quotes,
 * backslashes and non-ASCII replaced, and the exact name percent-encoded in filename*.
 */
export function contentDisposition(fileName: string, inline: boolean): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${inline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
