import { sql } from 'kysely';
import type { FieldError } from '../errors.ts';
import type { ObjectDefinition } from '../metadata/types.ts';
import { evaluateCondition, parseCondition, prefetchPathRecords, type Condition, type LoadRecords } from '../query/index.ts';
import { addComputedValues } from '../formula/memory.ts';
import type { RecordContext } from './context.ts';
import { conditionContext } from './read.ts';
import { rowToRecord } from './serialize.ts';

/**
 * Validation rules (PLT-2): each active rule's condition must hold for the record as it will be
 * saved. Records reached through lookup paths (`account.industry`) are prefetched once for all
 * rules, so the in-memory evaluator can run synchronously.
 */
export async function evaluateRules(args: { ctx: RecordContext; object: ObjectDefinition; record: Record<string, unknown>; pathPrefix?: string }): Promise<FieldError[]> {
  const { ctx, object } = args;
  const rules = object.validationRules.filter((r) => r.active);
  if (!rules.length) return [];
  const registry = ctx.platform.registry;
  const all = parseCondition({ input: { and: rules.map((r) => r.condition) } as Condition, object, registry });
  const load: LoadRecords = async (objectName, ids) => {
    const target = registry.requireObject(objectName);
    const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(target.table)} WHERE id = ANY(${ids}::uuid[]) AND deleted_at IS NULL`.execute(ctx.trx ?? ctx.platform.db);
    return r.rows.map((row) => rowToRecord(target.fields, row, target));
  };
  const context = conditionContext(ctx);
  // Rules may read formula fields: computed in memory, as the record will be saved.
  const record = object.fields.some((f) => f.formula || f.rollup)
    ? await addComputedValues({ registry, object, record: args.record, context, load, db: ctx.trx ?? ctx.platform.db })
    : args.record;
  const resolve = await prefetchPathRecords({ condition: all, record, load });
  const errors: FieldError[] = [];
  for (const rule of rules) {
    const condition = parseCondition({ input: rule.condition, object, registry });
    if (!evaluateCondition({ condition, record, context, resolve })) {
      errors.push({ field: (args.pathPrefix ?? '') + (rule.field ?? ''), code: `rule:${rule.name}`, message: rule.message });
    }
  }
  return errors;
}
