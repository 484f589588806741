import type { Condition, FieldDef, FieldType, LeafCondition, ObjectDef, Operator } from '../api/types';
import { lookupTarget } from '../api/metadata';

/** The server's type/operator matrix (platform/query/field-kinds.ts). */
const ORDERED: Operator[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'isNull'];
const TEXT: Operator[] = ['contains', 'eq', 'ne', 'startsWith', 'in', 'nin', 'isNull'];
const REFERENCE: Operator[] = ['eq', 'ne', 'in', 'nin', 'isNull'];
export const OPERATORS_BY_TYPE: Record<FieldType, Operator[]> = {
  text: TEXT, long_text: TEXT, email: TEXT, phone: TEXT, url: TEXT, autonumber: TEXT,
  picklist: ['eq', 'ne', 'in', 'nin', 'isNull'],
  id: ['eq', 'ne', 'in', 'nin'],
  lookup: REFERENCE, user: REFERENCE,
  number: ORDERED, currency: ORDERED, percent: ORDERED,
  boolean: ['eq', 'isNull'],
  date: ORDERED, datetime: ORDERED,
  multi_picklist: ['contains', 'eq', 'ne', 'isNull'],
};

export const OPERATOR_LABELS: Record<Operator, string> = {
  eq: 'is', ne: 'is not', lt: 'less than', lte: 'at most', gt: 'greater than', gte: 'at least', in: 'is any of', nin: 'is none of',
  contains: 'contains', startsWith: 'starts with', isNull: 'is empty', between: 'between',
};

export function operatorLabel(type: FieldType, op: Operator) {
  if (type === 'date' || type === 'datetime') {
    if (op === 'lt') return 'before';
    if (op === 'gt') return 'after';
    if (op === 'lte') return 'on or before';
    if (op === 'gte') return 'on or after';
  }
  return OPERATOR_LABELS[op];
}

export const RELATIVE_DATES: { value: string; label: string }[] = [
  { value: 'today', label: 'Today' }, { value: 'yesterday', label: 'Yesterday' }, { value: 'tomorrow', label: 'Tomorrow' },
  { value: 'this_week', label: 'This week' }, { value: 'last_week', label: 'Last week' }, { value: 'next_week', label: 'Next week' },
  { value: 'this_month', label: 'This month' }, { value: 'last_month', label: 'Last month' }, { value: 'next_month', label: 'Next month' },
  { value: 'this_quarter', label: 'This quarter' }, { value: 'last_quarter', label: 'Last quarter' }, { value: 'next_quarter', label: 'Next quarter' },
  { value: 'this_year', label: 'This year' }, { value: 'last_year', label: 'Last year' }, { value: 'next_year', label: 'Next year' },
  { value: 'last_n_days', label: 'Last N days' }, { value: 'next_n_days', label: 'Next N days' },
];

export interface PathField {
  path: string;
  label: string;
  field: FieldDef;
  group: string;
}

/** Fields a filter can use: the object's own, then one level through each lookup (account.industry). */
export function filterableFields(o: ObjectDef, byName: (n: string) => ObjectDef | undefined): PathField[] {
  const own = o.fields.filter((f) => f.type !== 'id').map((f) => ({ path: f.apiName, label: f.label, field: f, group: o.label }));
  const through: PathField[] = [];
  for (const f of o.fields) {
    const target = f.type === 'lookup' ? lookupTarget(f) : null;
    const t = target ? byName(target) : undefined;
    if (!t) continue;
    for (const tf of t.fields) {
      if (tf.type === 'id') continue;
      through.push({ path: `${f.apiName}.${tf.apiName}`, label: `${f.label} › ${tf.label}`, field: tf, group: `${f.label} (${t.label})` });
    }
  }
  return [...own, ...through];
}

export interface Rule {
  key: string;
  field: string;
  op: Operator;
  value: unknown;
}

export interface RuleGroup {
  combinator: 'and' | 'or';
  rules: Rule[];
}

let n = 0;
export const newKey = () => `r${++n}`;

/** A flat group of leaves is what the builder edits; anything deeper is kept as JSON. */
export function conditionToGroup(c: Condition | null | undefined): RuleGroup | null {
  if (!c) return { combinator: 'and', rules: [] };
  const leaf = (x: Condition): Rule | null => ('field' in x && 'op' in x ? { key: newKey(), field: x.field, op: x.op, value: x.value } : null);
  if ('and' in c || 'or' in c) {
    const list = 'and' in c ? c.and : c.or;
    const rules = list.map(leaf);
    if (rules.some((r) => r === null)) return null;
    return { combinator: 'and' in c ? 'and' : 'or', rules: rules as Rule[] };
  }
  const single = leaf(c);
  return single ? { combinator: 'and', rules: [single] } : null;
}

export function isComplete(r: Rule): boolean {
  if (!r.field || !r.op) return false;
  if (r.op === 'isNull') return true;
  if (r.op === 'between') return Array.isArray(r.value) && r.value.length === 2 && r.value.every((v) => v !== null && v !== '' && v !== undefined);
  if (r.op === 'in' || r.op === 'nin') return Array.isArray(r.value) && r.value.length > 0;
  return r.value !== undefined && r.value !== null && r.value !== '';
}

export function groupToCondition(g: RuleGroup): Condition | null {
  const leaves: LeafCondition[] = g.rules.filter(isComplete).map((r) => ({ field: r.field, op: r.op, ...(r.op === 'isNull' ? { value: r.value === false ? false : true } : { value: r.value }) }));
  if (!leaves.length) return null;
  if (leaves.length === 1) return leaves[0]!;
  return g.combinator === 'and' ? { and: leaves } : { or: leaves };
}
