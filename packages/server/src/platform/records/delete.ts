import { sql, type RawBuilder } from 'kysely';
import { uuidv7 } from '../ids.ts';
import { AppError, forbidden, notFound, translateDatabaseError } from '../errors.ts';
import type { ObjectDefinition } from '../metadata/types.ts';
import { assertObjectPermission, permissionsFor, visibilityCondition } from '../access/policy.ts';
import { inTransaction, UnitOfWork, type RecordContext, type TxContext } from './context.ts';
import type { ApiRecord } from './hooks.ts';
import { recordChange } from './history.ts';
import { recordName, rowToRecord } from './serialize.ts';
import { assertVersion, loadForUpdate, queueAfterCommit } from './write.ts';
import { UUID_RE } from './values.ts';

/**
 * A group of deletes made as one action (an import's undo, over several transactions): the recycle
 * bin lists it as one entry under its label, restored or purged together. The id is the caller's
 * (the import's id); every delete that carries it joins the same entry.
 */
export interface BinGroup {
  id: string;
  label: string;
}

export interface DeleteOptions {
  binGroup?: BinGroup;
}

interface Cleared {
  object: string;
  id: string;
  field: string;
  value: string;
}

/**
 * Soft delete (PLT-15). Records pointing here through a `restrict` lookup block the delete
 * (409 with the blockers); `cascade` lookups delete their records along; `clear` lookups are
 * emptied and remembered, so restoring puts them back. Everything lands in the recycle bin
 * under the root record, in one transaction.
 */
export async function deleteRecord(args: { ctx: RecordContext; object: ObjectDefinition; id: string; expectedVersion?: number; options?: DeleteOptions }): Promise<void> {
  assertObjectPermission(args.ctx.actor, args.object, 'delete');
  // Records only Meridian's commands write (payments and their allocations, run and intake logs)
  // are not deleted by hand either: a deleted payment would leave its invoices paid by nothing.
  if (args.object.writtenBySystem) throw new AppError('forbidden', `${args.object.pluralLabel} are recorded by Meridian and cannot be deleted`);
  await inTransaction(args.ctx, async (ctx) => {
    const record = await loadForUpdate(ctx, args.object, args.id);
    assertVersion(args.object, record, args.expectedVersion);
    if (args.object.apiName === 'user') throw new AppError('rule_violation', 'Users are deactivated, not deleted: set active to false');
    const visited = new Set<string>();
    await deleteTree(ctx, args.object, record, { object: args.object.apiName, id: args.id, group: args.options?.binGroup }, visited);
  });
}

async function deleteTree(ctx: TxContext, object: ObjectDefinition, record: ApiRecord, root: { object: string; id: string; group?: BinGroup }, visited: Set<string>) {
  const key = `${object.apiName}:${record.id}`;
  if (visited.has(key)) return;
  visited.add(key);
  for (const hook of ctx.platform.hooks.for('beforeDelete', object.apiName, 'delete')) await hook({ ctx, object, record });
  const registry = ctx.platform.registry;
  const blockers: Array<{ object: string; field: string; count: number; hiddenCount: number; examples: Array<{ id: string; name: string }> }> = [];
  const cleared: Cleared[] = [];
  for (const ref of registry.referencesTo(object.apiName)) {
    const behaviour = ref.field.lookup!.onDelete;
    const t = sql.table(ref.object.table);
    const col = sql.ref(ref.field.column);
    if (behaviour === 'restrict') {
      const r = await sql<Record<string, unknown>>`SELECT * FROM ${t} WHERE ${col} = ${record.id} AND deleted_at IS NULL AND id <> ${record.id} LIMIT 4`.execute(ctx.trx);
      const live = r.rows.filter((row) => !visited.has(`${ref.object.apiName}:${row.id as string}`));
      if (live.length) {
        // Only blockers the caller can see are named; the others are a count (issue 18, item 7).
        const readable = permissionsFor(ctx.actor, ref.object).read;
        const vis = readable ? visibilityCondition(ctx.actor, ref.object, 'b') : undefined;
        const counts = await sql<{ n: string; seen: string }>`SELECT count(*) AS n, ${readable ? sql`count(*) FILTER (WHERE ${vis ?? sql`true`})` : sql`0`} AS seen
          FROM ${t} b WHERE ${sql.ref(`b.${ref.field.column}`)} = ${record.id} AND b.deleted_at IS NULL`.execute(ctx.trx);
        const shown = readable
          ? await sql<Record<string, unknown>>`SELECT b.* FROM ${t} b WHERE ${sql.ref(`b.${ref.field.column}`)} = ${record.id} AND b.deleted_at IS NULL AND b.id <> ${record.id}
              ${vis ? sql`AND ${vis}` : sql``} ORDER BY b.id LIMIT 3`.execute(ctx.trx)
          : { rows: [] };
        const total = Number(counts.rows[0]!.n);
        const seen = Number(counts.rows[0]!.seen);
        blockers.push({
          object: readable ? ref.object.apiName : 'other',
          field: readable ? ref.field.apiName : '',
          count: total,
          hiddenCount: total - seen,
          examples: shown.rows.map((row) => ({ id: row.id as string, name: recordName(ref.object, rowToRecord(ref.object.fields, row, ref.object)) })),
        });
      }
    } else if (behaviour === 'cascade') {
      const r = await sql<Record<string, unknown>>`SELECT * FROM ${t} WHERE ${col} = ${record.id} AND deleted_at IS NULL FOR UPDATE`.execute(ctx.trx);
      for (const row of r.rows) await deleteTree(ctx, ref.object, rowToRecord(ref.object.fields, row, ref.object), root, visited);
    } else {
      const r = await sql<{ id: string }>`UPDATE ${t} SET ${col} = NULL, version = version + 1, updated_at = date_trunc('milliseconds', now()), updated_by = ${ctx.actor.userId}
        WHERE ${col} = ${record.id} AND deleted_at IS NULL RETURNING id`.execute(ctx.trx);
      for (const row of r.rows) {
        cleared.push({ object: ref.object.apiName, id: row.id, field: ref.field.apiName, value: record.id });
        await recordChange({ ctx, object: ref.object, operation: 'update', recordId: row.id, changes: { [ref.field.apiName]: { old: record.id, new: null } } });
      }
    }
  }
  if (blockers.length) {
    const b = blockers[0]!;
    const through = b.field ? `${b.count} ${b.object} record(s) point to it through '${b.field}'` : `${b.count} record(s) you cannot see point to it`;
    throw new AppError('referenced', `This ${object.label.toLowerCase()} cannot be deleted: ${through}. Delete or re-point them first, or ask their owners.`, {
      errors: blockers.map((x) => ({ field: '', code: 'referenced', message: x.field ? `${x.count} ${x.object} record(s) via ${x.field}` : `${x.count} record(s) you cannot see` })),
      extra: { blockers },
    });
  }
  await sql`UPDATE ${sql.table(object.table)} SET deleted_at = date_trunc('milliseconds', now()), version = version + 1, updated_by = ${ctx.actor.userId} WHERE id = ${record.id}`.execute(ctx.trx);
  ctx.uow.noteDeleted(object.apiName, record.id);
  await sql`INSERT INTO recycle_bin (id, object, record_id, name, root_object, root_id, cleared, deleted_by, bin_group, bin_group_label)
    VALUES (${uuidv7()}, ${object.apiName}, ${record.id}, ${recordName(object, record)}, ${root.object}, ${root.id}, ${JSON.stringify(cleared)}::jsonb, ${ctx.actor.userId},
      ${root.group?.id ?? null}, ${root.group?.label ?? null})`.execute(ctx.trx);
  await recordChange({ ctx, object, operation: 'delete', recordId: record.id, changes: {} });
  queueAfterCommit(ctx, object, 'delete', record, {});
}

interface BinEntry {
  id: string;
  object: string;
  record_id: string;
  name: string | null;
  root_object: string;
  root_id: string;
  cleared: Cleared[];
  deleted_at: Date;
  deleted_by: string | null;
  bin_group: string | null;
  bin_group_label: string | null;
}

/** A root entry the user's recycle bin lists (else 404: another user's entry is not revealed). */
async function loadRootEntry(ctx: TxContext, entryId: string): Promise<BinEntry> {
  if (!UUID_RE.test(entryId)) throw notFound('Recycle bin entry');
  const r = await sql<BinEntry>`SELECT * FROM recycle_bin WHERE id = ${entryId}`.execute(ctx.trx);
  const entry = r.rows[0];
  if (!entry || entry.record_id !== entry.root_id) throw notFound('Recycle bin entry');
  // Another user's entry, or one of a record the user may no longer change, answers like a
  // missing one: its existence is not revealed (issue 18, item 9).
  const mine = await sql`SELECT 1 FROM recycle_bin b WHERE b.id = ${entry.id} ${mineOnly(ctx)}`.execute(ctx.trx);
  if (!mine.rows.length) throw notFound('Recycle bin entry');
  return entry;
}

/** A root entry with everything deleted along with it. */
async function loadTree(ctx: TxContext, entry: BinEntry): Promise<BinEntry[]> {
  const g = await sql<BinEntry>`SELECT * FROM recycle_bin WHERE root_object = ${entry.root_object} AND root_id = ${entry.root_id} ORDER BY deleted_at, id`.execute(ctx.trx);
  return g.rows;
}

async function loadGroup(ctx: TxContext, entryId: string): Promise<BinEntry[]> {
  return loadTree(ctx, await loadRootEntry(ctx, entryId));
}

/** The roots of a bin group the user's recycle bin lists, oldest first. */
async function loadGroupRoots(ctx: TxContext, group: string): Promise<BinEntry[]> {
  const r = await sql<BinEntry>`SELECT b.* FROM recycle_bin b WHERE b.bin_group = ${group} AND b.record_id = b.root_id ${mineOnly(ctx)} ORDER BY b.deleted_at, b.id`.execute(ctx.trx);
  return r.rows;
}

/**
 * `AND …` over recycle-bin entries `b`: for non-admins, the entries they deleted whose root record
 * they could still change were it live (its object readable by their profile, the record within
 * their sharing). Whoever has since lost access to a record they deleted no longer sees, restores
 * or purges it; administrators see every entry.
 */
function mineOnly(ctx: RecordContext) {
  if (ctx.actor.isAdmin) return sql``;
  const hidden: RawBuilder<unknown>[] = [];
  for (const o of ctx.platform.registry.listObjects()) {
    if (!permissionsFor(ctx.actor, o).read) {
      hidden.push(sql`b.object = ${o.apiName}`);
      continue;
    }
    const v = visibilityCondition(ctx.actor, o, 'r', 'edit');
    if (v) hidden.push(sql`(b.object = ${o.apiName} AND NOT EXISTS (SELECT 1 FROM ${sql.table(o.table)} r WHERE r.id = b.record_id AND ${v}))`);
  }
  return sql`AND b.deleted_by = ${ctx.actor.userId} ${hidden.length ? sql`AND NOT (${sql.join(hidden, sql` OR `)})` : sql``}`;
}

export async function findBinEntry(ctx: RecordContext, object: string, recordId: string): Promise<string> {
  if (!UUID_RE.test(recordId)) throw notFound('Deleted record');
  // The same entries the user's recycle bin lists: any other answers like a record never deleted.
  const r = await sql<{ id: string }>`SELECT b.id FROM recycle_bin b WHERE b.object = ${object} AND b.record_id = ${recordId} AND b.root_id = b.record_id ${mineOnly(ctx)}`.execute(ctx.trx ?? ctx.platform.db);
  if (!r.rows[0]) throw notFound(`Deleted ${object} ${recordId}`);
  return r.rows[0].id;
}

/** Restores a deleted record with everything deleted along with it, and re-links cleared lookups. */
export async function restoreRecord(args: { ctx: RecordContext; entryId: string }): Promise<{ object: string; id: string; restored: number }> {
  return inTransaction(args.ctx, async (ctx) => restoreTree(ctx, await loadGroup(ctx, args.entryId)));
}

async function restoreTree(ctx: TxContext, group: BinEntry[]): Promise<{ object: string; id: string; restored: number }> {
  const registry = ctx.platform.registry;
  // Like the delete, the restore asks for the root's object only: what was deleted along with it
  // comes back along with it, whatever its object (naming that object could reveal it).
  const root = group.find((e) => e.record_id === e.root_id)!;
  const rootObject = registry.getObject(root.object);
  if (rootObject) assertObjectPermission(ctx.actor, rootObject, 'delete');
  for (const e of group) {
    const object = registry.getObject(e.object);
    if (!object) throw new AppError('conflict', e === root ? `The object '${e.object}' no longer exists; restore it first` : 'A record deleted along with this one belongs to an object that no longer exists; an administrator must restore that object first');
    await sql`SAVEPOINT rec_restore`.execute(ctx.trx);
    try {
      await sql`UPDATE ${sql.table(object.table)} SET deleted_at = NULL, version = version + 1, updated_at = date_trunc('milliseconds', now()), updated_by = ${ctx.actor.userId} WHERE id = ${e.record_id}`.execute(ctx.trx);
      await sql`RELEASE SAVEPOINT rec_restore`.execute(ctx.trx);
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT rec_restore`.execute(ctx.trx);
      throw translateDatabaseError(error) ?? error;
    }
    await recordChange({ ctx, object, operation: 'restore', recordId: e.record_id, changes: {} });
    for (const c of e.cleared) {
      const o = registry.getObject(c.object);
      const f = o && registry.getField(o, c.field);
      if (!o || !f) continue;
      const r = await sql<{ id: string }>`UPDATE ${sql.table(o.table)} SET ${sql.ref(f.column)} = ${c.value}, version = version + 1, updated_at = date_trunc('milliseconds', now()), updated_by = ${ctx.actor.userId}
        WHERE id = ${c.id} AND ${sql.ref(f.column)} IS NULL AND deleted_at IS NULL RETURNING id`.execute(ctx.trx);
      if (r.rows.length) await recordChange({ ctx, object: o, operation: 'update', recordId: c.id, changes: { [c.field]: { old: null, new: c.value } } });
    }
    // Loaded without visibility: a cascaded child may belong to someone else.
    const row = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(object.table)} WHERE id = ${e.record_id}`.execute(ctx.trx);
    if (row.rows[0]) {
      const record = rowToRecord(object.fields, row.rows[0], object);
      // Rules that keep derived figures (a quote's totals, a deal's amount) run in the restore's
      // transaction and may refuse it, as on any other write.
      for (const hook of ctx.platform.hooks.for('afterSave', object.apiName, 'restore')) await hook({ ctx, object, operation: 'restore', record, changes: {} });
      queueAfterCommit(ctx, object, 'restore', record, {});
    }
  }
  await sql`DELETE FROM recycle_bin WHERE id = ANY(${group.map((e) => e.id)}::uuid[])`.execute(ctx.trx);
  return { object: root.object, id: root.record_id, restored: group.length };
}

/** Deletes a recycle-bin entry and its group for good. */
export async function purgeRecord(args: { ctx: RecordContext; entryId: string }): Promise<{ purged: number }> {
  return inTransaction(args.ctx, async (ctx) => purgeTree(ctx, await loadGroup(ctx, args.entryId)));
}

async function purgeTree(ctx: TxContext, group: BinEntry[]): Promise<{ purged: number }> {
  // Entries are filed children first (deleteTree recurses before filing the parent), so purging
  // in filing order removes every referencing row before the row it references.
  for (const e of group) {
    const object = ctx.platform.registry.getObject(e.object);
    if (!object) continue;
    await sql`SAVEPOINT rec_purge`.execute(ctx.trx);
    let purged: Record<string, unknown> | undefined;
    try {
      const r = await sql<Record<string, unknown>>`DELETE FROM ${sql.table(object.table)} WHERE id = ${e.record_id} AND deleted_at IS NOT NULL RETURNING *`.execute(ctx.trx);
      purged = r.rows[0];
      await sql`RELEASE SAVEPOINT rec_purge`.execute(ctx.trx);
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT rec_purge`.execute(ctx.trx);
      const t = translateDatabaseError(error);
      if (t?.code === 'referenced') {
        // Only the root is named: what was deleted along with it may be records the user cannot see.
        const what = e.record_id === e.root_id ? (e.name ?? 'This record') : 'A record deleted along with this one';
        throw new AppError('referenced', `${what} is still referenced by deleted records elsewhere in the recycle bin; purge those first`);
      }
      throw t ?? error;
    }
    if (purged) {
      const record = rowToRecord(object.fields, purged, object);
      for (const hook of ctx.platform.hooks.for('afterPurge', object.apiName, 'delete')) await hook({ ctx, object, record });
    }
  }
  await sql`DELETE FROM recycle_bin WHERE id = ANY(${group.map((e) => e.id)}::uuid[])`.execute(ctx.trx);
  return { purged: group.length };
}

export interface GroupRefusal {
  object: string;
  id: string;
  name: string | null;
  message: string;
}

/**
 * Restores a recycle-bin entry as the bin lists it. A grouped entry brings back every record of its
 * group the user's bin holds, each root with what was deleted along with it, in one transaction.
 * A root whose restore is refused (a rule, a removed object) stays in the bin and is reported; the
 * others come back.
 */
export async function restoreBinEntry(args: { ctx: RecordContext; entryId: string }): Promise<{ object: string; id: string; restored: number; refused?: GroupRefusal[] }> {
  return inTransaction(args.ctx, async (ctx) => {
    const entry = await loadRootEntry(ctx, args.entryId);
    if (!entry.bin_group) return restoreTree(ctx, await loadTree(ctx, entry));
    // Newest deleted first: an import's undo deleted a contact before the account created for it,
    // so the account is back before the contact that points to it.
    const roots = (await loadGroupRoots(ctx, entry.bin_group)).reverse();
    let restored = 0;
    const refused: GroupRefusal[] = [];
    for (const root of roots) {
      // Each root's after-commit work is kept apart, so a refused one announces nothing.
      const uow = new UnitOfWork();
      await sql`SAVEPOINT bin_group_restore`.execute(ctx.trx);
      try {
        restored += (await restoreTree({ ...ctx, uow }, await loadTree(ctx, root))).restored;
        await sql`RELEASE SAVEPOINT bin_group_restore`.execute(ctx.trx);
        ctx.uow.afterCommit(() => uow.flush((err) => ctx.platform.logger.error({ err }, 'after-commit hook failed')));
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT bin_group_restore`.execute(ctx.trx);
        if (!(error instanceof AppError)) throw error;
        refused.push({ object: root.object, id: root.record_id, name: root.name, message: error.message });
      }
    }
    return { object: entry.object, id: entry.bin_group, restored, refused };
  });
}

/** Purges a recycle-bin entry as the bin lists it: a grouped entry purges every record of its group the user's bin holds. */
export async function purgeBinEntry(args: { ctx: RecordContext; entryId: string }): Promise<{ purged: number }> {
  return inTransaction(args.ctx, async (ctx) => {
    const entry = await loadRootEntry(ctx, args.entryId);
    if (!entry.bin_group) return purgeTree(ctx, await loadTree(ctx, entry));
    let purged = 0;
    // In filing order, like a tree's entries: a contact the undo deleted goes before the account
    // it points to. Any refusal aborts the whole purge (nothing is half purged).
    for (const root of await loadGroupRoots(ctx, entry.bin_group)) purged += (await purgeTree(ctx, await loadTree(ctx, root))).purged;
    return { purged };
  });
}

export interface BinItem {
  id: string;
  object: string;
  recordId: string;
  name: string | null;
  deletedAt: string;
  deletedBy: string | null;
  dependents: number;
  /** Set on a grouped entry (`grouped` listing): its records are restored and purged together; count = its roots. */
  group?: { id: string; label: string; count: number };
}

interface ListedEntry {
  id: string;
  object: string;
  record_id: string;
  name: string | null;
  deleted_at: Date;
  deleted_by: string | null;
  dependents: string;
  group_id?: string | null;
  group_label?: string | null;
  group_count?: string;
}

function toBinItem(e: ListedEntry): BinItem {
  return {
    id: e.id,
    object: e.object,
    recordId: e.record_id,
    name: e.name,
    deletedAt: new Date(e.deleted_at).toISOString(),
    deletedBy: e.deleted_by,
    dependents: Number(e.dependents),
    ...(e.group_id ? { group: { id: e.group_id, label: e.group_label ?? '', count: Number(e.group_count) } } : {}),
  };
}

/** The recycle bin, newest first, keyset paginated on (deleted_at, id). */
export async function listRecycleBin(args: { ctx: RecordContext; object?: string; limit: number; after?: { deletedAt: string; id: string }; grouped?: boolean }): Promise<BinItem[]> {
  const { ctx } = args;
  const mine = mineOnly(ctx);
  const obj = args.object ? sql`AND b.object = ${args.object}` : sql``;
  if (args.grouped) return listGrouped(ctx, mine, obj, args.limit, args.after);
  const after = args.after ? sql`AND (b.deleted_at, b.id) < (${args.after.deletedAt}::timestamptz, ${args.after.id}::uuid)` : sql``;
  const r = await sql<BinEntry & { dependents: string }>`SELECT b.*, (SELECT count(*) FROM recycle_bin c WHERE c.root_object = b.object AND c.root_id = b.record_id) - 1 AS dependents
    FROM recycle_bin b WHERE b.record_id = b.root_id ${mine} ${obj} ${after} ORDER BY b.deleted_at DESC, b.id DESC LIMIT ${args.limit}`.execute(ctx.platform.db);
  return r.rows.map(toBinItem);
}

/**
 * The bin as users see it: a group is one entry, carried by its newest root (its id, deletedAt and
 * the keyset position), so pagination stays on (deleted_at, id) and restoring or purging that id
 * takes the whole group. Retention lists ungrouped: each root has its own object's retention.
 */
async function listGrouped(ctx: RecordContext, mine: RawBuilder<unknown>, obj: RawBuilder<unknown>, limit: number, afterKey?: { deletedAt: string; id: string }): Promise<BinItem[]> {
  const after = afterKey ? sql`WHERE (e.deleted_at, e.id) < (${afterKey.deletedAt}::timestamptz, ${afterKey.id}::uuid)` : sql``;
  const newest = sql`ORDER BY deleted_at DESC, id DESC`;
  const r = await sql<ListedEntry>`WITH roots AS (
      SELECT b.* FROM recycle_bin b WHERE b.record_id = b.root_id ${mine} ${obj}
    ), entries AS (
      SELECT id, object, record_id, name, deleted_at, deleted_by, NULL::text AS group_id, NULL::text AS group_label, 1::bigint AS group_count FROM roots WHERE bin_group IS NULL
      UNION ALL
      SELECT (array_agg(id ${newest}))[1], (array_agg(object ${newest}))[1], (array_agg(record_id ${newest}))[1], max(bin_group_label), max(deleted_at),
        (array_agg(deleted_by ${newest}))[1], bin_group, max(bin_group_label), count(*)
      FROM roots WHERE bin_group IS NOT NULL GROUP BY bin_group
    )
    SELECT e.*, CASE WHEN e.group_id IS NULL
        THEN (SELECT count(*) FROM recycle_bin c WHERE c.root_object = e.object AND c.root_id = e.record_id) - 1
        ELSE (SELECT count(*) FROM recycle_bin c WHERE c.bin_group = e.group_id AND c.record_id <> c.root_id) END AS dependents
    FROM entries e ${after} ORDER BY e.deleted_at DESC, e.id DESC LIMIT ${limit}`.execute(ctx.trx ?? ctx.platform.db);
  return r.rows.map(toBinItem);
}
