import { createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { uuidv7 } from '../../../platform/ids.ts';
import { sql } from 'kysely';
import { AppError, validationFailed } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import { notFound } from '../../../platform/errors.ts';
import { importSettings } from '../settings.ts';
import { importDirectory, importFilePath } from '../store.ts';
import { decodeHead, detectDelimiter, detectEncoding, detectFormat, type ImportEncoding, type ImportFormat } from '../file/detect.ts';
import { openRows } from '../file/rows.ts';

const HEAD_BYTES = 64 * 1024;
export const SAMPLE_ROWS = 5;

const tooLarge = (max: number) => new AppError('payload_too_large', `The file is larger than the import limit of ${max} bytes`, { errors: [{ field: 'file', code: 'file_too_large', message: `At most ${max} bytes` }] });

/**
 * Streams the multipart part `file` to the imports directory under a new key (never the
 * client's name), counting bytes; past the size limit the upload is stopped and the partial
 * file removed. Answers the key, the client's file name and the size.
 */
export async function receiveImportFile(ctx: RecordContext, request: FastifyRequest): Promise<{ key: string; fileName: string; size: number; object: string }> {
  const { maxBytes } = importSettings.of(ctx.platform);
  await mkdir(importDirectory(ctx.platform), { recursive: true });
  let received: { key: string; fileName: string; size: number } | undefined;
  let object: string | undefined;
  try {
    const parts = request.parts({ limits: { fileSize: maxBytes + 1, files: 1, fields: 2, parts: 3, fieldSize: 200 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw validationFailed([{ field: part.fieldname.slice(0, 64), code: 'unknown_field', message: 'Send the file in a part named file' }]);
        const key = `${uuidv7()}.upload`;
        const target = importFilePath(ctx.platform, key);
        let size = 0;
        const meter = new Transform({
          transform(chunk: Buffer, _e, done) {
            size += chunk.length;
            if (size > maxBytes) return done(tooLarge(maxBytes));
            done(null, chunk);
          },
        });
        try {
          await pipeline(part.file, meter, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
        } catch (error) {
          await rm(target, { force: true });
          throw error;
        }
        received = { key, fileName: path.basename(part.filename ?? 'import.csv').slice(0, 255), size };
      } else if (part.fieldname === 'object') {
        object = String(part.value);
      } else {
        throw validationFailed([{ field: part.fieldname.slice(0, 64), code: 'unknown_field', message: 'Expected the parts object and file' }]);
      }
    }
  } catch (error) {
    if (received) await rm(importFilePath(ctx.platform, received.key), { force: true });
    throw translateMultipartError(error, maxBytes);
  }
  if (!object) {
    if (received) await rm(importFilePath(ctx.platform, received.key), { force: true });
    throw validationFailed([{ field: 'object', code: 'required', message: 'Send the object to import into in a part named object, before the file' }]);
  }
  if (!received) throw validationFailed([{ field: 'file', code: 'required', message: 'Send the file in a multipart part named file' }]);
  if (received.size === 0) {
    await rm(importFilePath(ctx.platform, received.key), { force: true });
    throw validationFailed([{ field: 'file', code: 'empty', message: 'The file is empty' }]);
  }
  return { ...received, object };
}

function translateMultipartError(error: unknown, maxBytes: number): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return validationFailed([{ field: '', code: 'too_many_parts', message: 'Send the parts object and file only' }]);
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_PROTO_VIOLATION' || /multipart|boundary|terminated early/i.test((error as Error)?.message ?? '')) {
    return new AppError('bad_request', 'The multipart body is malformed', { errors: [{ field: 'file', code: 'malformed', message: (error as Error).message.slice(0, 200) }] });
  }
  return error;
}

export interface FileAnalysis {
  format: ImportFormat;
  encoding: ImportEncoding | null;
  delimiter: string | null;
  headers: string[];
  sample: string[][];
}

/**
 * What the file is: its format (by content), for a CSV the encoding and delimiter guessed from
 * its first 64 KB (unless the user chose them), the header row (blank titles named by position,
 * repeated ones numbered) and the first rows as a sample. A file with no data rows is refused.
 */
export async function analyseFile(filePath: string, fileName: string, chosen: { encoding?: ImportEncoding; delimiter?: string } = {}): Promise<FileAnalysis> {
  const handle = await open(filePath, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const format = detectFormat(fileName, head);
  let encoding: ImportEncoding | null = null;
  let delimiter: string | null = null;
  if (format === 'csv') {
    encoding = chosen.encoding ?? detectEncoding(head);
    const text = decodeHead(head, encoding);
    if (!/[\r\n]/.test(text) && head.length >= HEAD_BYTES) {
      throw validationFailed([{ field: 'file', code: 'no_header', message: `The first line is longer than ${HEAD_BYTES / 1024} KB: the file has no header row of column titles, or is not a CSV` }]);
    }
    delimiter = chosen.delimiter ?? detectDelimiter(text);
  }
  const reader = openRows({ path: filePath, format, encoding, delimiter });
  const rows: string[][] = [];
  try {
    for await (const cells of reader.rows) {
      rows.push(cells);
      if (rows.length > SAMPLE_ROWS) break;
    }
  } finally {
    reader.close();
  }
  const header = rows[0];
  if (!header || header.every((h) => h.trim() === '')) throw validationFailed([{ field: 'file', code: 'no_header', message: 'The file has no header row (the first row names the columns)' }]);
  if (rows.length < 2) throw validationFailed([{ field: 'file', code: 'no_rows', message: 'The file has a header row but no data rows' }]);
  const width = Math.max(...rows.map((r) => r.length));
  return { format, encoding, delimiter, headers: titles(header, width), sample: rows.slice(1).map((r) => Array.from({ length: width }, (_, i) => r[i] ?? '')) };
}

/** Column titles: trimmed, a blank one named by its position, a repeated one numbered ("Email (2)"). */
export function titles(header: string[], width: number): string[] {
  const seen = new Map<string, number>();
  return Array.from({ length: width }, (_, i) => {
    const base = (header[i] ?? '').trim().slice(0, 200) || `Column ${i + 1}`;
    const k = base.toLowerCase();
    const count = (seen.get(k) ?? 0) + 1;
    seen.set(k, count);
    return count > 1 ? `${base} (${count})` : base;
  });
}

/** Upload: the file is stored and analysed, and a draft import is made for the object (nothing runs yet). */
export async function createImport(ctx: RecordContext, file: { key: string; fileName: string; size: number; object: string }): Promise<string> {
  const object = ctx.platform.registry.getObject(file.object);
  const filePath = importFilePath(ctx.platform, file.key);
  try {
    if (!object) throw notFound(`Object ${file.object.slice(0, 64)}`);
    assertObjectPermission(ctx.actor, object, 'create');
    const a = await analyseFile(filePath, file.fileName);
    const id = uuidv7();
    await sql`INSERT INTO import_job (id, object, file_name, file_key, file_bytes, format, encoding, delimiter, headers, status, created_by)
      VALUES (${id}, ${object.apiName}, ${file.fileName}, ${file.key}, ${file.size}, ${a.format}, ${a.encoding}, ${a.delimiter}, ${JSON.stringify(a.headers)}::jsonb, 'draft', ${ctx.actor.userId})`.execute(ctx.platform.db);
    return id;
  } catch (error) {
    await rm(filePath, { force: true });
    throw error;
  }
}
