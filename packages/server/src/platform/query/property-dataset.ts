/**
 * The random datasets of the property tests (query/ and formula/) in the test tables, and in
 * memory for the evaluators' paths. Only imported by tests.
 */
import { sql, type Kysely } from 'kysely';
import { encodeArrayLiteral } from './compile.ts';
import type { ConditionRecord } from './parsed.ts';
import type { Dataset } from './property-arbitraries.ts';

const num = (v: unknown) => (v === null ? null : String(v));

/** Replaces the test tables' rows with the dataset's. */
export async function loadDataset(db: Kysely<any>, data: Dataset): Promise<void> {
  await sql`DELETE FROM obj_pt_item`.execute(db);
  await sql`DELETE FROM obj_pt_account`.execute(db);
  await sql`DELETE FROM obj_pt_user`.execute(db);
  await sql`INSERT INTO obj_pt_user (id, name, email, deleted_at) VALUES ${sql.join(
    data.users.map((u) => sql`(${u.id}::uuid, ${u.name}::text, ${u.email}::text, ${u.deleted_at}::timestamptz)`),
  )}`.execute(db);
  await sql`INSERT INTO obj_pt_account (id, name, industry, revenue, founded, parent_account_id, owner_id, deleted_at) VALUES ${sql.join(
    data.accounts.map(
      (a) =>
        sql`(${a.id}::uuid, ${a.name}::text, ${a.industry}::text, ${num(a.revenue)}::numeric, ${a.founded}::date, ${a.parent_account}::uuid, ${a.owner}::uuid, ${a.deleted_at}::timestamptz)`,
    ),
  )}`.execute(db);
  await sql`INSERT INTO obj_pt_item (id, name, notes, email, phone, website, code, stage, tags, qty, price, rate, active, due, at, account_id, owner_id) VALUES ${sql.join(
    data.items.map(
      (i) =>
        sql`(${i.id}::uuid, ${i.name}::text, ${i.notes}::text, ${i.email}::text, ${i.phone}::text, ${i.website}::text, ${i.code}::text, ${i.stage}::text, ${
          i.tags === null ? null : encodeArrayLiteral(i.tags as string[])
        }::text[], ${num(i.qty)}::numeric, ${num(i.price)}::numeric, ${num(i.rate)}::numeric, ${i.active === null ? null : String(i.active)}::boolean, ${
          i.due
        }::date, ${i.at}::timestamptz, ${i.account}::uuid, ${i.owner}::uuid)`,
    ),
  )}`.execute(db);
}

/** The dataset's related records, as paths walk to them in memory. */
export function createResolver(data: Dataset) {
  const byObject: Record<string, Map<string, ConditionRecord>> = {
    user: new Map(data.users.map((u) => [u.id as string, u])),
    pt_account: new Map(data.accounts.map((a) => [a.id as string, a])),
  };
  return (object: string, id: string) => byObject[object]?.get(id);
}
