/**
 * Formula and roll-up fields as the rest of the platform sees them. The registry binds every
 * computed field once per metadata load (parsed and checked tree, the fields it reads); the
 * record reads, the condition language and access control then ask here for a field's SQL, its
 * in-memory value and its dependencies. A field whose definition no longer checks (a field it
 * read was deleted from under it) is `broken` and reads as null rather than failing every query.
 */
import { sql, type RawBuilder } from 'kysely';
import { columnType } from '../metadata/ddl.ts';
import type { FieldDefinition, MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import type { PathVisibility } from '../query/compile.ts';
import type { ConditionContext, ConditionRecord, ResolveRecord } from '../query/parsed.ts';
import { checkFormula, type ComputedDependencies } from './check.ts';
import { compileFormula } from './compile.ts';
import { evaluateFormulaTree, toApiValue, toFormulaValue, type FormulaEvaluation, type FormulaValue } from './evaluate.ts';
import { checkRollup, compileRollup, type CheckedRollup } from './rollup.ts';
import type { FieldDependency, FormulaReturnType, TypedNode } from './types.ts';

/** `size`: parts with the formulas read compiled in place (check.ts MAX_EXPANDED_NODES). */
export type BoundField =
  | { kind: 'formula'; tree: TypedNode; returnType: FormulaReturnType; dependencies: FieldDependency[]; size: number }
  | { kind: 'rollup'; rollup: CheckedRollup; dependencies: FieldDependency[]; size: number }
  | { kind: 'broken'; reason: string; dependencies: FieldDependency[]; size: number };

const bindings = new WeakMap<FieldDefinition, BoundField>();

export function isComputedField(field: FieldDefinition): boolean {
  return Boolean(field.formula || field.rollup);
}

function bindOne(registry: MetadataRegistry, object: ObjectDefinition, field: FieldDefinition, computed: ComputedDependencies): BoundField {
  try {
    if (field.formula) {
      const checked = checkFormula({ expression: field.formula.expression, returnType: field.formula.returnType, object, registry, computed, sizeOf: computedSize });
      return { kind: 'formula', tree: checked.tree, returnType: field.formula.returnType, dependencies: checked.dependencies, size: checked.size };
    }
    const rollup = checkRollup({ rollup: field.rollup, parent: object, registry, computed });
    // The summarised field may have been retyped since (number → currency): present today's type.
    field.type = rollup.type;
    return { kind: 'rollup', rollup, dependencies: rollup.dependencies, size: rollupSize(rollup) };
  } catch (error) {
    return { kind: 'broken', reason: error instanceof Error ? error.message : String(error), dependencies: [], size: 1 };
  }
}

/** Checks every computed field of the registry's objects (called on each metadata load). */
export function bindComputedFields(registry: MetadataRegistry): void {
  const stack = new Set<FieldDefinition>();
  const bind = (object: ObjectDefinition, field: FieldDefinition): BoundField | 'cycle' => {
    const known = bindings.get(field);
    if (known) return known;
    if (stack.has(field)) return 'cycle';
    stack.add(field);
    const bound = bindOne(registry, object, field, (o, f) => {
      const inner = bind(o, f);
      return inner === 'cycle' ? 'cycle' : inner.dependencies;
    });
    stack.delete(field);
    bindings.set(field, bound);
    return bound;
  };
  for (const object of registry.listObjects()) {
    for (const field of object.fields) {
      if (!isComputedField(field)) continue;
      const bound = bind(object, field);
      // A formula shipped in code that does not check is a bug: stop the start, naming it.
      if (field.standard && bound !== 'cycle' && bound.kind === 'broken') throw new Error(`${object.apiName}.${field.apiName}: ${bound.reason}`);
    }
  }
}

/** A formula's or roll-up's size when compiled in place (0 for stored fields). */
export function computedSize(field: FieldDefinition): number {
  return bindings.get(field)?.size ?? 0;
}

/** A roll-up is one subquery, plus its summed field when that is a formula. */
export function rollupSize(rollup: CheckedRollup): number {
  return 1 + (rollup.field ? computedSize(rollup.field) : 0);
}

export function boundField(field: FieldDefinition): BoundField {
  const bound = bindings.get(field);
  if (!bound) throw new Error(`computed field ${field.apiName} was not bound to the registry`);
  return bound;
}

/** The fields a computed field reads, transitively; undefined for stored fields. */
export function computedDependencies(field: FieldDefinition): FieldDependency[] | undefined {
  return isComputedField(field) ? (bindings.get(field)?.dependencies ?? []) : undefined;
}

/**
 * For checking a new or changed definition of `field` on `object`: the dependencies of the
 * computed fields it reads, and 'cycle' for those that read `field` back.
 */
export function definitionDependencies(object: ObjectDefinition, field: string): ComputedDependencies {
  return (_o, f) => {
    const deps = bindings.get(f)?.dependencies ?? [];
    return (_o.apiName === object.apiName && f.apiName === field) || deps.some((d) => d.object === object.apiName && d.field === field) ? 'cycle' : deps;
  };
}

/** The SQL value of a formula or roll-up field of the row `alias` (query/compile.ts, records/read.ts). */
export function compileComputedField(input: { object: ObjectDefinition; field: FieldDefinition; alias: string; context: ConditionContext; visibility?: PathVisibility }): RawBuilder<unknown> {
  const bound = boundField(input.field);
  if (bound.kind === 'formula') {
    return compileFormula({ tree: bound.tree, returnType: bound.returnType, state: { alias: input.alias, context: input.context, visibility: input.visibility, joins: 0 } });
  }
  if (bound.kind === 'rollup') return compileRollup({ rollup: bound.rollup, alias: input.alias, context: input.context, visibility: input.visibility });
  return sql`CAST(NULL AS ${sql.raw(columnType(input.field))})`;
}

function valueOf(registry: MetadataRegistry, objectName: string, fieldName: string, record: ConditionRecord, run: FormulaEvaluation): FormulaValue {
  const object = registry.getObject(objectName);
  const field = object && registry.getField(object, fieldName);
  if (!field) return null;
  const bound = boundField(field);
  if (bound.kind === 'formula') return evaluateFormulaTree({ tree: bound.tree, returnType: bound.returnType, record, run });
  // Roll-ups read what SQL computed for the record (memory.ts loads it); broken fields are null.
  return bound.kind === 'rollup' ? toFormulaValue(record[field.apiName], bound.rollup.type === 'number' || bound.rollup.type === 'currency' || bound.rollup.type === 'percent' ? 'number' : (bound.rollup.type as 'date' | 'datetime')) : null;
}

/** An in-memory evaluation in which formulas read other formula fields by evaluating them in place. */
export function createFormulaRun(input: { registry: MetadataRegistry; context: ConditionContext; resolve: ResolveRecord }): FormulaEvaluation {
  const run: FormulaEvaluation = {
    context: input.context,
    resolve: input.resolve,
    computed: ({ object, field, record }) => valueOf(input.registry, object, field, record, run),
  };
  return run;
}

/** A computed field's API value for `record`, evaluated in memory (paths through `resolve`). */
export function evaluateComputedField(input: { registry: MetadataRegistry; object: ObjectDefinition; field: FieldDefinition; record: ConditionRecord; context: ConditionContext; resolve: ResolveRecord }): unknown {
  const run = createFormulaRun(input);
  return toApiValue(valueOf(input.registry, input.object.apiName, input.field.apiName, input.record, run), input.field.type as FormulaReturnType);
}

/**
 * `object.field` names of the computed fields that read `object.field` — or, without `field`, any
 * field of `object` — other than the field or object itself: deleting it would break them.
 */
export function listComputedReaders(registry: MetadataRegistry, object: string, field?: string): string[] {
  return registry.listObjects().flatMap((o) =>
    o.fields
      .filter((f) => (field === undefined ? o.apiName !== object : f.apiName !== field || o.apiName !== object))
      .filter((f) => computedDependencies(f)?.some((d) => d.object === object && (field === undefined || d.field === field)))
      .map((f) => `${o.apiName}.${f.apiName}`),
  );
}
