import { sql } from 'kysely';
import { ruleViolation } from '../../../platform/errors.ts';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { db, tableOf } from '../context.ts';
import { changed } from './changed.ts';

/** Upper bound for walking up a tree: far beyond real hierarchies, and it stops a loop in bad data. */
export const MAX_ANCESTOR_WALK = 10_000;

/**
 * SAL-1: the account tree stays a tree. A new account cannot close a loop (nothing points to it
 * yet); a re-parented one must not become its own ancestor.
 */
export async function refuseAccountCycle({ ctx, operation, data, previous }: BeforeSaveArgs): Promise<void> {
  if (operation !== 'update' || !changed(data, previous, 'parent_account')) return;
  const parent = data.parent_account as string | null;
  if (!parent) return;
  const id = previous!.id;
  if (parent === id) throw ruleViolation([{ field: 'parent_account', code: 'cycle', message: 'An account cannot be its own parent' }]);
  if (await isAncestorOrSelf({ ctx, object: 'account', field: 'parent_account', ancestor: id, of: parent })) {
    throw ruleViolation([{ field: 'parent_account', code: 'cycle', message: 'The chosen parent is inside this account\'s own subtree; that would make a loop' }]);
  }
}

/** Whether `ancestor` is `of` or one of its ancestors along the self-lookup `field` (deleted records included). */
export async function isAncestorOrSelf(args: { ctx: RecordContext; object: string; field: string; ancestor: string; of: string }): Promise<boolean> {
  const { ctx } = args;
  const o = ctx.platform.registry.requireObject(args.object);
  const col = sql.ref(`t.${o.fields.find((f) => f.apiName === args.field)!.column}`);
  const r = await sql<{ found: number }>`WITH RECURSIVE up(id, parent, depth) AS (
      SELECT t.id, ${col}, 1 FROM ${tableOf(ctx, args.object)} t WHERE t.id = ${args.of}
      UNION ALL
      SELECT t.id, ${col}, up.depth + 1 FROM ${tableOf(ctx, args.object)} t JOIN up ON t.id = up.parent
      WHERE up.depth < ${MAX_ANCESTOR_WALK} AND up.id <> ${args.ancestor}
    ) SELECT 1 AS found FROM up WHERE id = ${args.ancestor} LIMIT 1`.execute(db(ctx));
  return r.rows.length > 0;
}
