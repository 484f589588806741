import { sql } from 'kysely';
import type { FieldError } from '../errors.ts';
import type { ObjectDefinition } from '../metadata/types.ts';
import { conditionFields, evaluateCondition, parseCondition } from '../query/index.ts';
import type { RecordContext } from './context.ts';
import { conditionContext } from './read.ts';
import { rowToRecord } from './serialize.ts';

/**
 * Validation rules (PLT-2): each active rule's condition must hold for the record as it will be
 * saved. Paths through lookups (`account.industry`) read the referenced records first, one query
 * per object and level, so the in-memory evaluator can run synchronously.
 */
export async function evaluateRules(args: { ctx: RecordContext; object: ObjectDefinition; record: Record<string, unknown>; pathPrefix?: string }): Promise<FieldError[]> {
  const { ctx, object, record } = args;
  const rules = object.validationRules.filter((r) => r.active);
  if (!rules.length) return [];
  const registry = ctx.platform.registry;
  const parsed = rules.map((rule) => ({ rule, condition: parseCondition({ input: rule.condition, object, registry }) }));
  const cache = new Map<string, Record<string, unknown>>();
  const paths = parsed.flatMap((p) => conditionFields(p.condition)).filter((p) => p.includes('.'));
  await loadPaths(ctx, object, [record], paths, cache);
  const resolve = (objectName: string, id: string) => cache.get(`${objectName}:${id}`) as Record<string, unknown> & { id: string } | undefined;
  const context = conditionContext(ctx);
  const errors: FieldError[] = [];
  for (const { rule, condition } of parsed) {
    if (!evaluateCondition({ condition, record: record as Record<string, unknown> & { id: string }, context, resolve })) {
      errors.push({ field: (args.pathPrefix ?? '') + (rule.field ?? ''), code: `rule:${rule.name}`, message: rule.message });
    }
  }
  return errors;
}

async function loadPaths(ctx: RecordContext, object: ObjectDefinition, records: Array<Record<string, unknown>>, paths: string[], cache: Map<string, Record<string, unknown>>): Promise<void> {
  const registry = ctx.platform.registry;
  // Group the next hop of every path by lookup field.
  const hops = new Map<string, string[]>();
  for (const p of paths) {
    const [head, ...rest] = p.split('.');
    if (!rest.length || !head) continue;
    if (!hops.has(head)) hops.set(head, []);
    hops.get(head)!.push(rest.join('.'));
  }
  for (const [fieldName, restPaths] of hops) {
    const f = registry.getField(object, fieldName);
    if (!f?.lookup) continue;
    const target = registry.getObject(f.lookup.object);
    if (!target) continue;
    const ids = [...new Set(records.map((r) => r[fieldName]).filter((v): v is string => typeof v === 'string'))].filter((id) => !cache.has(`${target.apiName}:${id}`));
    if (ids.length) {
      const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(target.table)} WHERE id = ANY(${ids}::uuid[]) AND deleted_at IS NULL`.execute(ctx.trx ?? ctx.platform.db);
      for (const row of r.rows) cache.set(`${target.apiName}:${row.id as string}`, rowToRecord(target.fields, row));
    }
    const next = records.map((r) => cache.get(`${target.apiName}:${r[fieldName] as string}`)).filter((x): x is Record<string, unknown> => Boolean(x));
    if (next.length) await loadPaths(ctx, target, next, restPaths, cache);
  }
}
