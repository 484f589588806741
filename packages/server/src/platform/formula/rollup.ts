/**
 * Roll-up summary fields: on a parent, the count, sum, min or max over its live child records
 * (those whose lookup points to it), optionally only children matching a condition. Computed
 * when read, as a correlated subquery compiled with the reader's visibility of the children:
 * a roll-up counts and sums only children the reader can see (issue 18), and it is hidden from
 * readers whose profile cannot read the child object or the fields it reads (access/policy.ts).
 */
import { sql, type RawBuilder } from 'kysely';
import { validationFailed, type FieldError } from '../errors.ts';
import type { FieldDefinition, FieldType, MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import { compileCondition, compilePathValue, type PathVisibility } from '../query/compile.ts';
import { conditionFields } from '../query/condition-fields.ts';
import { parseCondition } from '../query/parse.ts';
import type { ConditionContext, ParsedCondition } from '../query/parsed.ts';
import type { Condition } from '../query/types.ts';
import type { ComputedDependencies } from './check.ts';
import { ROLLUP_AGGREGATES, type FieldDependency, type RollupAggregate, type RollupDefinition } from './types.ts';

const SUMMABLE: FieldType[] = ['number', 'currency', 'percent'];
const ORDERED: FieldType[] = [...SUMMABLE, 'date', 'datetime'];
const KEYS = ['object', 'lookup', 'aggregate', 'field', 'filter'];

export interface CheckedRollup {
  definition: RollupDefinition;
  /** The roll-up field's type: number for count, else the aggregated field's. */
  type: FieldType;
  child: ObjectDefinition;
  lookup: FieldDefinition;
  field?: FieldDefinition;
  filter?: ParsedCondition;
  dependencies: FieldDependency[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a roll-up definition for fields of `parent`; 400 naming `rollup.<key>`. */
export function checkRollup(input: { rollup: unknown; parent: ObjectDefinition; registry: MetadataRegistry; computed: ComputedDependencies }): CheckedRollup {
  const { registry, parent } = input;
  const fail = (errors: FieldError[]): never => {
    throw validationFailed(errors, 'The roll-up is not valid');
  };
  const raw = input.rollup;
  if (!isPlainObject(raw)) return fail([{ field: 'rollup', code: 'required', message: 'A roll-up needs {object, lookup, aggregate, field?, filter?}' }]);
  const unknown = Object.keys(raw).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) fail([{ field: `rollup.${unknown.slice(0, 64)}`, code: 'unknown_property', message: `Unknown property; expected ${KEYS.join(', ')}` }]);
  const child = typeof raw.object === 'string' ? registry.getObject(raw.object) : undefined;
  if (!child) return fail([{ field: 'rollup.object', code: 'unknown_object', message: `Unknown object '${String(raw.object ?? '').slice(0, 64)}'` }]);
  const lookup = typeof raw.lookup === 'string' ? registry.getField(child, raw.lookup) : undefined;
  if (!lookup || lookup.lookup?.object !== parent.apiName) {
    return fail([{ field: 'rollup.lookup', code: 'invalid', message: `A lookup field of ${child.apiName} pointing to ${parent.apiName}` }]);
  }
  const aggregate = raw.aggregate as RollupAggregate;
  if (!ROLLUP_AGGREGATES.includes(aggregate)) fail([{ field: 'rollup.aggregate', code: 'invalid_choice', message: `One of ${ROLLUP_AGGREGATES.join(', ')}` }]);
  const dependencies = new Map<string, FieldDependency>();
  const depend = (object: ObjectDefinition, field: FieldDefinition, where: string) => {
    dependencies.set(`${object.apiName}.${field.apiName}`, { object: object.apiName, field: field.apiName });
    if (!field.formula && !field.rollup) return;
    const inner = input.computed(object, field);
    if (inner === 'cycle') fail([{ field: where, code: 'formula_cycle', message: `'${field.apiName}' leads back to this roll-up` }]);
    else for (const d of inner) dependencies.set(`${d.object}.${d.field}`, d);
  };
  depend(child, lookup, 'rollup.lookup');
  let field: FieldDefinition | undefined;
  if (aggregate === 'count') {
    if (raw.field !== undefined) fail([{ field: 'rollup.field', code: 'invalid', message: 'count counts records; it takes no field' }]);
  } else {
    field = typeof raw.field === 'string' ? registry.getField(child, raw.field) : undefined;
    const allowed = aggregate === 'sum' ? SUMMABLE : ORDERED;
    if (!field || !allowed.includes(field.type)) {
      return fail([{ field: 'rollup.field', code: 'invalid', message: `${aggregate} needs a ${allowed.join(', ')} field of ${child.apiName}` }]);
    }
    depend(child, field, 'rollup.field');
  }
  let filter: ParsedCondition | undefined;
  if (raw.filter !== undefined && raw.filter !== null) {
    filter = parseCondition({ input: raw.filter, object: child, registry, source: 'rollup.filter' });
    for (const path of conditionFields(filter)) {
      let current: ObjectDefinition | undefined = child;
      for (const name of path.split('.')) {
        const f: FieldDefinition | undefined = current && registry.getField(current, name);
        if (!current || !f) break;
        depend(current, f, 'rollup.filter');
        current = f.lookup ? registry.getObject(f.lookup.object) : undefined;
      }
    }
  }
  const definition: RollupDefinition = { object: child.apiName, lookup: lookup.apiName, aggregate };
  if (field) definition.field = field.apiName;
  if (filter) definition.filter = raw.filter as Condition;
  return { definition, type: field ? field.type : 'number', child, lookup, field, filter, dependencies: [...dependencies.values()] };
}

/** `(SELECT <aggregate> FROM <child> WHERE <lookup> = <parent>.id AND live AND visible AND filter)`. */
export function compileRollup(input: { rollup: CheckedRollup; alias: string; context: ConditionContext; visibility?: PathVisibility }): RawBuilder<unknown> {
  const { rollup } = input;
  const alias = `${input.alias}_r1`;
  const conditions: RawBuilder<unknown>[] = [
    sql`${sql.id(alias, rollup.lookup.column)} = ${sql.id(input.alias, 'id')}`,
    sql`${sql.id(alias, 'deleted_at')} IS NULL`,
  ];
  const visible = input.visibility?.(rollup.child, alias);
  if (visible) conditions.push(visible);
  if (rollup.filter) conditions.push(compileCondition({ condition: rollup.filter, alias, context: input.context, visibility: input.visibility }));
  const value = rollup.field
    ? compilePathValue([{ object: rollup.child, field: rollup.field }], { alias, visibility: input.visibility, joins: 0, context: input.context })
    : sql`*`;
  const aggregate =
    rollup.definition.aggregate === 'count' ? sql`count(*)::numeric`
    : rollup.definition.aggregate === 'sum' ? sql`COALESCE(sum(${value}), 0)`
    : rollup.definition.aggregate === 'min' ? sql`min(${value})`
    : sql`max(${value})`;
  return sql`(SELECT ${aggregate} FROM ${sql.table(rollup.child.table)} AS ${sql.id(alias)} WHERE ${sql.join(conditions, sql` AND `)})`;
}
