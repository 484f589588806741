import { sql } from 'kysely';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { evaluateCondition, prefetchPathRecords, type LoadRecords } from '../../../platform/query/index.ts';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import { conditionContext, getRecord } from '../../../platform/records/read.ts';
import { rowToRecord } from '../../../platform/records/serialize.ts';
import type { CompiledRule } from '../spec.ts';

export type Operation = 'create' | 'update' | 'delete';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Whether the change is the rule's trigger (before the entry condition). */
export function triggerMatches(rule: CompiledRule, operation: Operation, current: Record<string, unknown>, previous?: Record<string, unknown>): boolean {
  switch (rule.trigger) {
    case 'created':
      return operation === 'create';
    case 'updated':
      return operation === 'update';
    case 'created_or_updated':
      return operation !== 'delete';
    case 'deleted':
      return operation === 'delete';
    case 'scheduled':
      return false;
    case 'field_changed': {
      if (operation === 'delete' || !rule.field) return false;
      const before = operation === 'create' ? null : previous?.[rule.field];
      const after = current[rule.field];
      if (same(before, after)) return false;
      if (rule.from && !same(before, rule.from.value)) return false;
      if (rule.to && !same(after, rule.to.value)) return false;
      return true;
    }
  }
}

function loader(ctx: TxContext): LoadRecords {
  return async (objectName, ids) => {
    const target = ctx.platform.registry.requireObject(objectName);
    const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(target.table)} WHERE id = ANY(${ids}::uuid[]) AND deleted_at IS NULL`.execute(ctx.trx);
    return r.rows.map((row) => rowToRecord(target.fields, row, target));
  };
}

/**
 * The entry condition on the record as saved; with "only when the record changes to meet the
 * condition", also false when the previous state met it already (an update that keeps it true).
 */
export async function conditionMet(ctx: TxContext, rule: CompiledRule, operation: Operation, current: Record<string, unknown>, previous?: Record<string, unknown>): Promise<boolean> {
  if (!rule.condition) return true;
  const context = conditionContext(ctx);
  const load = loader(ctx);
  const holds = async (record: Record<string, unknown>) =>
    evaluateCondition({ condition: rule.condition!, record, context, resolve: await prefetchPathRecords({ condition: rule.condition!, record, load }) });
  if (!(await holds(current))) return false;
  if (!rule.onlyOnChange || operation !== 'update' || !previous) return true;
  return !(await holds(previous));
}

/** What templates see: record.<field>, <lookup>.<field> for the lookups the rule's actions read, today, now. */
export async function templateScope(ctx: TxContext, object: ObjectDefinition, record: Record<string, unknown>, lookups: Iterable<string>): Promise<Record<string, unknown>> {
  const now = new Date();
  const full = Object.fromEntries(object.fields.map((f) => [f.apiName, record[f.apiName] ?? null]));
  const scope: Record<string, unknown> = { record: full, now: now.toISOString(), today: now.toISOString().slice(0, 10) };
  for (const name of new Set(lookups)) {
    const field = ctx.platform.registry.getField(object, name);
    const id = record[name];
    const target = field?.lookup ? ctx.platform.registry.getObject(field.lookup.object) : undefined;
    let related: Record<string, unknown> = {};
    if (target && typeof id === 'string') {
      related = await getRecord({ ctx: asSystem(ctx), object: target, id }).catch(() => ({}));
    }
    // Every field present (null when unknown) so strict variables never fail on an empty lookup.
    scope[name] = target ? Object.fromEntries(target.fields.map((f) => [f.apiName, related[f.apiName] ?? null])) : {};
  }
  return scope;
}

export function lookupsOf(rule: CompiledRule): string[] {
  return rule.actions.flatMap((a) => (Array.isArray(a.config?.lookups) ? (a.config.lookups as string[]) : []));
}
