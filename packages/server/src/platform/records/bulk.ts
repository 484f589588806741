import { visibilityCondition } from '../access/policy.ts';
import { sql } from 'kysely';
import { AppError, validationFailed, type FieldError } from '../errors.ts';
import type { ObjectDefinition } from '../metadata/types.ts';
import { inTransaction, UnitOfWork, type RecordContext } from './context.ts';
import { createRecord, updateRecord } from './write.ts';
import { coerceValue, UUID_RE } from './values.ts';

export const BULK_MAX = 1000;

export type BulkOperation = 'create' | 'update' | 'upsert';

export type BulkResult =
  | { index: number; ok: true; id: string; created: boolean }
  | { index: number; ok: false; status: number; code: string; errors: FieldError[] };

/**
 * Bulk create/update/upsert (PLT-3): one transaction, one savepoint per record, so valid records
 * are kept and each invalid one is reported with its errors. Each record passes the full record
 * pipeline (hooks, rules, history, events) exactly like a single write.
 */
export async function bulkWrite(args: { ctx: RecordContext; object: ObjectDefinition; operation: unknown; externalIdField?: unknown; records: unknown; allowDuplicate?: boolean }): Promise<{ results: BulkResult[]; succeeded: number; failed: number }> {
  const { object } = args;
  if (!['create', 'update', 'upsert'].includes(args.operation as string)) {
    throw validationFailed([{ field: 'operation', code: 'invalid_choice', message: "Must be 'create', 'update' or 'upsert'" }]);
  }
  const operation = args.operation as BulkOperation;
  if (!Array.isArray(args.records)) throw validationFailed([{ field: 'records', code: 'type', message: 'Must be an array of records' }]);
  if (args.records.length === 0) throw validationFailed([{ field: 'records', code: 'empty', message: 'Send at least one record' }]);
  if (args.records.length > BULK_MAX) throw validationFailed([{ field: 'records', code: 'too_many', message: `At most ${BULK_MAX} records per call` }]);
  const registry = args.ctx.platform.registry;
  let externalField = undefined as ReturnType<typeof registry.getField>;
  if (operation === 'upsert') {
    if (typeof args.externalIdField !== 'string') throw validationFailed([{ field: 'externalIdField', code: 'required', message: 'Upsert needs externalIdField' }]);
    externalField = registry.getField(object, args.externalIdField);
    if (!externalField || !(externalField.externalId || externalField.unique)) {
      throw validationFailed([{ field: 'externalIdField', code: 'invalid', message: `'${String(args.externalIdField).slice(0, 64)}' is not an external id or unique field of ${object.apiName}` }]);
    }
  }
  const records = args.records as unknown[];
  return inTransaction(args.ctx, async (ctx) => {
    const results: BulkResult[] = [];
    for (let index = 0; index < records.length; index++) {
      const input = records[index];
      const prefix = `records[${index}].`;
      const itemUow = new UnitOfWork();
      const itemCtx = { ...ctx, uow: itemUow };
      await sql`SAVEPOINT bulk_item`.execute(ctx.trx);
      try {
        let result: BulkResult;
        if (typeof input !== 'object' || input === null || Array.isArray(input)) throw validationFailed([{ field: prefix.slice(0, -1), code: 'type', message: 'Each record must be a JSON object' }]);
        const rec = input as Record<string, unknown>;
        if (operation === 'create') {
          const r = await createRecord({ ctx: itemCtx, object, input: rec, options: { pathPrefix: prefix, allowDuplicate: args.allowDuplicate, continueOnError: true } });
          result = { index, ok: true, id: r.id, created: true };
        } else if (operation === 'update') {
          if (typeof rec.id !== 'string' || !UUID_RE.test(rec.id)) throw validationFailed([{ field: `${prefix}id`, code: 'required', message: 'Each record to update needs its id' }]);
          const { id, ...rest } = rec;
          const r = await updateRecord({ ctx: itemCtx, object, id, input: rest, options: { pathPrefix: prefix, allowDuplicate: args.allowDuplicate, continueOnError: true } });
          result = { index, ok: true, id: r.id, created: false };
        } else {
          const f = externalField!;
          const key = coerceValue(f, rec[f.apiName], prefix + f.apiName);
          if (!key.ok || key.value === null || key.value === '') throw validationFailed([key.ok ? { field: prefix + f.apiName, code: 'required', message: 'The external id is required for upsert' } : key.error]);
          const match = f.type === 'email' ? sql`lower(${sql.ref(f.column)}) = lower(${key.value})` : sql`${sql.ref(f.column)} = ${key.value}`;
          const found = await sql<{ id: string }>`SELECT id FROM ${sql.table(object.table)} WHERE ${match} AND deleted_at IS NULL LIMIT 2`.execute(ctx.trx);
          if (found.rows.length > 1) throw new AppError('conflict', `Several records have ${f.apiName} = ${String(key.value)}`, { errors: [{ field: prefix + f.apiName, code: 'ambiguous', message: 'More than one record matches' }] });
          if (found.rows[0]) {
            // A match the caller may not change is refused without naming it (no id, no name):
            // only that a record with this external id exists (it would block a create anyway).
            const editable = visibilityCondition(ctx.actor, object, 't0', 'edit');
            if (editable) {
              const mine = await sql`SELECT 1 FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ${found.rows[0].id} AND ${editable}`.execute(ctx.trx);
              if (!mine.rows.length) throw new AppError('forbidden', `A record with this ${f.label} exists that you may not change`, { errors: [{ field: prefix + f.apiName, code: 'not_writable', message: 'Another record you may not change has this external id' }] });
            }
            const { id: _ignored, ...rest } = rec;
            const r = await updateRecord({ ctx: itemCtx, object, id: found.rows[0].id, input: rest, options: { pathPrefix: prefix, allowDuplicate: args.allowDuplicate, continueOnError: true } });
            result = { index, ok: true, id: r.id, created: false };
          } else {
            const r = await createRecord({ ctx: itemCtx, object, input: rec, options: { pathPrefix: prefix, allowDuplicate: args.allowDuplicate, continueOnError: true } });
            result = { index, ok: true, id: r.id, created: true };
          }
        }
        await sql`RELEASE SAVEPOINT bulk_item`.execute(ctx.trx);
        ctx.uow.afterCommit(() => itemUow.flush((e) => ctx.platform.logger.error({ err: e }, 'after-commit hook failed')));
        results.push(result);
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT bulk_item`.execute(ctx.trx);
        if (!(error instanceof AppError)) throw error;
        results.push({ index, ok: false, status: error.status, code: error.code, errors: error.errors.length ? error.errors : [{ field: prefix.slice(0, -1), code: error.code, message: error.message }] });
      }
    }
    const succeeded = results.filter((r) => r.ok).length;
    return { results, succeeded, failed: results.length - succeeded };
  });
}

