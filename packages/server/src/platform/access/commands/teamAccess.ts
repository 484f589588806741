import { sql } from 'kysely';
import { forbidden, notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { UUID_RE } from '../../records/values.ts';
import { permissionsFor, visibilityCondition } from '../policy.ts';

/**
 * A team route acts on a record only as far as the caller may see (or change) that record, like
 * the record routes: an object their profile may not read, or a record they cannot see, answers
 * 404 exactly like a missing one; a record they see but may not change answers 403 to a change.
 */
export async function assertRecordAccess(args: { platform: Platform; actor: Actor; object: string; id: string }, mode: 'read' | 'edit') {
  const o = args.platform.registry.getObject(args.object);
  if (!o || !permissionsFor(args.actor, o).read || !UUID_RE.test(args.id)) throw notFound('The record');
  const seen = async (m: 'read' | 'edit') => {
    const visible = visibilityCondition(args.actor, o, 't0', m);
    const r = await sql`SELECT 1 FROM ${sql.table(o.table)} AS t0 WHERE t0.id = ${args.id} AND t0.deleted_at IS NULL ${visible ? sql`AND ${visible}` : sql``}`.execute(args.platform.db);
    return r.rows.length > 0;
  };
  if (!(await seen('read'))) throw notFound('The record');
  if (mode === 'edit' && (!permissionsFor(args.actor, o).edit || !(await seen('edit')))) throw forbidden(`You can see this ${o.label.toLowerCase()} but not change its team`);
}
