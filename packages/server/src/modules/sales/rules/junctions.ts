import { sql } from 'kysely';
import { AppError, ruleViolation } from '../../../platform/errors.ts';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { visibilityCondition } from '../../../platform/access/policy.ts';
import { db, tableOf } from '../context.ts';

/** Junction objects of this module and the lookups that make one row unique. Merges dedupe by these too. */
export const JUNCTION_KEYS: Record<string, string[]> = {
  account_team_member: ['account', 'user', 'role'],
  account_contact_role: ['account', 'contact', 'role'],
};

async function nameOf(ctx: RecordContext, object: string, id: unknown): Promise<string> {
  if (typeof id !== 'string') return '';
  const o = ctx.platform.registry.requireObject(object);
  const col = o.fields.find((f) => f.apiName === o.nameField)!.column;
  const r = await sql<{ name: string | null }>`SELECT ${sql.ref(col)} AS name FROM ${tableOf(ctx, object)} WHERE id = ${id}`.execute(db(ctx));
  return r.rows[0]?.name ?? '';
}

function roleLabel(object: ObjectDefinition, role: unknown): string {
  return object.fields.find((f) => f.apiName === 'role')?.picklist?.values.find((v) => v.value === role)?.label ?? String(role ?? '');
}

/**
 * The answer to a second row for the same people in the same role. The message names only what
 * the caller sent; the existing row is a candidate only if they may see it — else it is just
 * counted, like any duplicate they cannot see (issue 18, item 6).
 */
async function duplicateRow(ctx: RecordContext, object: ObjectDefinition, row: { id: string; name: string }): Promise<AppError> {
  const visible = visibilityCondition(ctx.actor, object, 't0');
  const seen = !visible || (await sql`SELECT 1 FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ${row.id} AND ${visible}`.execute(db(ctx))).rows.length > 0;
  const what = object.apiName === 'account_team_member' ? 'This user already has this role on the account' : 'This contact already has this role at the account';
  return new AppError('duplicate', seen ? `${what}.` : `${what} (recorded by someone else; you cannot see it).`, {
    errors: [{ field: 'role', code: 'duplicate', message: 'Already recorded' }],
    extra: { candidates: seen ? [{ id: row.id, name: row.name, rule: 'same_role', score: 1 }] : [], hiddenMatches: seen ? 0 : 1 },
  });
}

/**
 * Junction rows (account team, account contact roles): a readable name ("Jane Doe – Backup PM
 * at Acme"), no second row for the same people in the same role, and a backup PM is not the
 * account's main PM.
 */
export async function applyJunctionRules({ ctx, object, operation, data, merged, previous }: BeforeSaveArgs): Promise<void> {
  const keys = JUNCTION_KEYS[object.apiName]!;
  const next = { ...merged, ...data };
  if (operation === 'update' && !keys.some((k) => k in data)) return;
  const [personObject, personField] = object.apiName === 'account_team_member' ? ['user', 'user'] : ['contact', 'contact'];
  if (object.apiName === 'account_team_member' && next.role === 'backup_pm') {
    const r = await sql<{ main_pm_id: string | null }>`SELECT main_pm_id FROM ${tableOf(ctx, 'account')} WHERE id = ${next.account as string}`.execute(db(ctx));
    if (r.rows[0]?.main_pm_id && r.rows[0].main_pm_id === next.user) {
      throw ruleViolation([{ field: 'user', code: 'main_pm', message: 'This user is already the main PM of the account' }]);
    }
  }
  const where = keys.map((k) => sql`${sql.ref(object.fields.find((f) => f.apiName === k)!.column)} = ${next[k] as string}`);
  const same = await sql<{ id: string; name: string }>`SELECT id, name FROM ${sql.table(object.table)} WHERE ${sql.join(where, sql` AND `)}
    AND deleted_at IS NULL ${previous ? sql`AND id <> ${previous.id}` : sql``} LIMIT 1`.execute(db(ctx));
  if (same.rows[0]) throw await duplicateRow(ctx, object, same.rows[0]);
  const person = await nameOf(ctx, personObject, next[personField]);
  const account = await nameOf(ctx, 'account', next.account);
  data.name = `${person} – ${roleLabel(object, next.role)} at ${account}`.slice(0, 1000);
}
