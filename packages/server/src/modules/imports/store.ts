import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import type { RecordContext } from '../../platform/records/context.ts';
import { UUID_RE } from '../../platform/records/values.ts';
import { importSettings } from './settings.ts';
import type { ImportEncoding, ImportFormat } from './file/detect.ts';
import type { ImportOptions } from './spec.ts';

export type ImportStatus = 'draft' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'undoing' | 'undone';

/** A pass over an import's file — the run, or a dry run — as its row stores it: checkpoint, counts, lease. */
export interface FilePass {
  checkpoint: string | number;
  bytes_done: string | number;
  total_rows: string | number | null;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  lease_token: string | null;
  lease_until: Date | null;
  run_started_at: Date | null;
  run_start_rows: string | number;
  error: string | null;
}

export interface ImportRow extends FilePass {
  id: string;
  object: string;
  file_name: string;
  file_key: string;
  file_bytes: string | number;
  format: ImportFormat;
  encoding: ImportEncoding | null;
  delimiter: string | null;
  headers: string[];
  settings: Partial<ImportOptions>;
  status: ImportStatus;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Where an import's file lives (its key is a uuid: never a name the client chose). */
export function importFilePath(platform: Platform, key: string): string {
  const dir = importSettings.of(platform).directory || path.join(platform.config.dataDir, 'imports');
  return path.join(path.resolve(dir), key);
}

export function importDirectory(platform: Platform): string {
  return path.resolve(importSettings.of(platform).directory || path.join(platform.config.dataDir, 'imports'));
}

/**
 * An import the caller may see: their own, or any for an administrator. Others answer 404 like a
 * missing one. `lock` takes the row for the rest of the transaction.
 */
export async function loadImport(ctx: RecordContext, id: string, options: { lock?: boolean; db?: Kysely<any> | Transaction<any> } = {}): Promise<ImportRow> {
  if (!UUID_RE.test(id)) throw notFound('Import');
  const db = options.db ?? ctx.trx ?? ctx.platform.db;
  const r = await sql<ImportRow>`SELECT * FROM import_job WHERE id = ${id} ${ctx.actor.isAdmin ? sql`` : sql`AND created_by = ${ctx.actor.userId}`} ${options.lock ? sql`FOR UPDATE` : sql``}`.execute(db);
  if (!r.rows[0]) throw notFound('Import');
  return r.rows[0];
}
