import { sql } from 'kysely';
import type { FieldError } from '../../platform/errors.ts';
import type { RecordContext } from '../../platform/records/context.ts';
import { UUID_RE } from '../../platform/records/values.ts';

/**
 * What reports and dashboards share on save: sharing with groups and roles (the question, never
 * the answers) and the folder they go in (the saver's own or a shared one).
 */
/** `{groups, roles}`: up to 50 names each. */
export function readSharing(input: unknown, errors: FieldError[]): { groups: string[]; roles: string[] } {
  if (input === undefined || input === null) return { groups: [], roles: [] };
  const s = input as Record<string, unknown>;
  const list = (v: unknown, field: string) => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > 50 || v.some((x) => typeof x !== 'string' || x.length > 100)) {
      errors.push({ field, code: 'type', message: 'An array of names' });
      return [];
    }
    return v as string[];
  };
  return { groups: list(s.groups, 'sharing.groups'), roles: list(s.roles, 'sharing.roles') };
}

export async function checkFolder(ctx: RecordContext, folder: unknown, errors: FieldError[]): Promise<string | null> {
  if (folder === undefined || folder === null) return null;
  if (typeof folder !== 'string' || !UUID_RE.test(folder)) {
    errors.push({ field: 'folder', code: 'type', message: 'A folder id' });
    return null;
  }
  const r = await sql<{ id: string }>`SELECT id FROM analytics_report_folder WHERE id = ${folder} AND (owner_id = ${ctx.actor.userId} OR shared OR ${ctx.actor.isAdmin})`.execute(ctx.trx ?? ctx.platform.db);
  if (!r.rows[0]) errors.push({ field: 'folder', code: 'not_found', message: 'No such folder' });
  return folder;
}
