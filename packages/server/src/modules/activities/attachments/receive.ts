import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { uuidv7 } from '../../../platform/ids.ts';
import { AppError, validationFailed } from '../../../platform/errors.ts';
import { LONG_TEXT_MAX } from '../../../platform/records/values.ts';

/** An upload received into the spool directory, not yet checked or stored. */
export interface SpooledUpload {
  path: string;
  /** As sent by the client (sanitised later). */
  fileName: string;
  size: number;
  sha256: string;
  /** The first bytes, to recognise text files. */
  head: Buffer;
  /** The text parts (UPLOAD_FIELDS) that were sent, validated later by the record pipeline. */
  fields: Record<string, string>;
}

/** Attachment fields a client may send beside the file; the rest are set by the server. */
export const UPLOAD_FIELDS = ['description', 'document_type', 'expires_on'] as const;

const HEAD_BYTES = 64 * 1024;

export const fileTooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `The file is larger than the limit of ${maxBytes} bytes`, {
    errors: [{ field: 'file', code: 'file_too_large', message: `At most ${maxBytes} bytes` }],
  });

/**
 * Reads a multipart/form-data upload: one part `file` and optional text fields (UPLOAD_FIELDS).
 * The file is streamed to a spool file while its SHA-256 and size are computed; past maxBytes
 * the stream is aborted and the partial file removed, so memory use does not grow with the file.
 * The caller removes `path` when done.
 */
export async function receiveUpload(request: FastifyRequest, options: { maxBytes: number; spoolDir: string }): Promise<SpooledUpload> {
  await mkdir(options.spoolDir, { recursive: true });
  let file: Omit<SpooledUpload, 'fields'> | undefined;
  const fields: Record<string, string> = {};
  try {
    // busboy stops one byte past the limit, so "too large" is always seen by the meter below.
    const parts = request.parts({ limits: { fileSize: options.maxBytes + 1, files: 1, fields: UPLOAD_FIELDS.length, parts: UPLOAD_FIELDS.length + 1, fieldSize: LONG_TEXT_MAX * 4 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw validationFailed([{ field: part.fieldname.slice(0, 64), code: 'unknown_field', message: 'Send the file in a part named file' }]);
        file = await spool(part, options);
      } else if ((UPLOAD_FIELDS as readonly string[]).includes(part.fieldname)) {
        if (part.valueTruncated || typeof part.value !== 'string') throw validationFailed([{ field: part.fieldname, code: 'too_long', message: 'The value is too long' }]);
        fields[part.fieldname] = part.value;
      } else {
        throw validationFailed([{ field: part.fieldname.slice(0, 64), code: 'unknown_field', message: `Expected the parts file, ${UPLOAD_FIELDS.join(', ')}` }]);
      }
    }
  } catch (error) {
    if (file) await rm(file.path, { force: true });
    throw translateMultipartError(error, options.maxBytes);
  }
  if (!file) throw validationFailed([{ field: 'file', code: 'required', message: 'Send the file in a multipart part named file' }]);
  if (file.size === 0) {
    await rm(file.path, { force: true });
    throw validationFailed([{ field: 'file', code: 'empty', message: 'The file is empty' }]);
  }
  return { ...file, fields };
}

async function spool(part: MultipartFile, options: { maxBytes: number; spoolDir: string }): Promise<Omit<SpooledUpload, 'fields'>> {
  const target = path.join(options.spoolDir, `${uuidv7()}.upload`);
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > options.maxBytes) return done(fileTooLarge(options.maxBytes));
      hash.update(chunk);
      if (headLength < HEAD_BYTES) {
        head.push(chunk.subarray(0, HEAD_BYTES - headLength));
        headLength += Math.min(chunk.length, HEAD_BYTES - headLength);
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(part.file, meter, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
  return { path: target, fileName: part.filename ?? '', size, sha256: hash.digest('hex'), head: Buffer.concat(head) };
}

function translateMultipartError(error: unknown, maxBytes: number): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return fileTooLarge(maxBytes);
  if (code === 'FST_FILES_LIMIT') return validationFailed([{ field: 'file', code: 'too_many', message: 'Send one file per request' }]);
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return validationFailed([{ field: '', code: 'too_many_parts', message: `Send the parts file, ${UPLOAD_FIELDS.join(', ')} only` }]);
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_PROTO_VIOLATION' || /multipart|boundary|terminated early/i.test((error as Error)?.message ?? '')) {
    return new AppError('bad_request', 'The multipart body is malformed', { errors: [{ field: 'file', code: 'malformed', message: (error as Error).message.slice(0, 200) }] });
  }
  return error;
}

/**
 * Removes spool files a crashed process left behind. Run at start-up; a day is far longer than
 * any upload takes, so files of other processes sharing the directory are left alone.
 */
export async function sweepSpool(spoolDir: string, olderThanMs = 24 * 3600 * 1000): Promise<number> {
  let names: string[];
  try {
    names = await readdir(spoolDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names.filter((n) => n.endsWith('.upload'))) {
    const file = path.join(spoolDir, name);
    const s = await stat(file).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > olderThanMs) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
