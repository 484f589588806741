/**
 * Formula values of a record that is not saved yet (validation rules run before the write), in
 * memory: the related records the formulas' paths walk through are loaded once, batched per
 * object and level, then every formula field is evaluated. Roll-ups depend on other records
 * only, so for a record that exists they are read with SQL (all children: validation is the
 * system's judgement, not a reader's view); a new record has no children yet.
 */
import { sql, type Kysely } from 'kysely';
import type { MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import type { ConditionContext, ConditionRecord, ParsedCondition, ParsedLeaf, PathStep } from '../query/parsed.ts';
import { prefetchPathRecords, type LoadRecords } from '../query/prefetch.ts';
import { boundField, compileComputedField, evaluateComputedField } from './computed.ts';
import { fromDb } from '../records/values.ts';
import type { TypedNode } from './types.ts';

/** The lookup paths a formula walks, with those of formulas it reads on related records. */
function listPaths(tree: TypedNode, prefix: PathStep[] = [], into: PathStep[][] = [], depth = 0): PathStep[][] {
  if (tree.kind === 'op') for (const arg of tree.args) listPaths(arg, prefix, into, depth);
  if (tree.kind !== 'field') return into;
  const steps = [...prefix, ...tree.steps];
  if (steps.length > 1) into.push(steps);
  const last = tree.steps[tree.steps.length - 1]!.field;
  if (last.formula && depth < 8) {
    const bound = boundField(last);
    if (bound.kind === 'formula') listPaths(bound.tree, steps.slice(0, -1), into, depth + 1);
  }
  return into;
}

/** The record with its formula and roll-up fields filled in. */
export async function addComputedValues(args: {
  registry: MetadataRegistry;
  object: ObjectDefinition;
  record: ConditionRecord;
  context: ConditionContext;
  load: LoadRecords;
  db: Kysely<any>;
}): Promise<ConditionRecord> {
  const { object, record } = args;
  const formulas = object.fields.filter((f) => f.formula);
  const rollups = object.fields.filter((f) => f.rollup);
  const out: ConditionRecord = { ...record };
  if (rollups.length && typeof record.id === 'string') {
    const columns = rollups.map((f) => sql`${compileComputedField({ object, field: f, alias: 't0', context: args.context })} AS ${sql.id(f.column)}`);
    const r = await sql<Record<string, unknown>>`SELECT ${sql.join(columns)} FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ${record.id}`.execute(args.db);
    for (const f of rollups) out[f.apiName] = r.rows[0] ? fromDb(f, r.rows[0][f.column]) : null;
  }
  if (!formulas.length) return out;
  const leaves = formulas.flatMap((f) => {
    const bound = boundField(f);
    return bound.kind === 'formula' ? listPaths(bound.tree) : [];
  });
  // prefetchPathRecords walks condition leaves; only their steps matter to it.
  const condition: ParsedCondition = { kind: 'and', children: leaves.map((steps) => ({ kind: 'leaf', steps }) as unknown as ParsedLeaf) };
  const resolve = await prefetchPathRecords({ condition, record: out, load: args.load });
  for (const field of formulas) {
    out[field.apiName] = evaluateComputedField({ registry: args.registry, object, field, record: out, context: args.context, resolve });
  }
  return out;
}
