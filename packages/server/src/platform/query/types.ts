/**
 * The condition language (PLT-4): one JSON shape for API filters, list views, reports, workflow
 * conditions, validation rules, segments and sharing rules.
 *
 *   { "and": [ { "field": "amount", "op": "gte", "value": 1000 },
 *              { "not": { "field": "account.industry", "op": "in", "value": ["energy"] } } ] }
 */
export type Operator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'in'
  | 'nin'
  | 'contains'
  | 'startsWith'
  | 'isNull'
  | 'between';

export const OPERATORS: readonly Operator[] = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'nin',
  'contains',
  'startsWith',
  'isNull',
  'between',
];

export interface LeafCondition {
  /** A field API name, or a path through lookups: `account.parent_account.name`. */
  field: string;
  op: Operator;
  value?: unknown;
}

export type Condition = { and: Condition[] } | { or: Condition[] } | { not: Condition } | LeafCondition;
