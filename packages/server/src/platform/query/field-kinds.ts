import type { FieldType } from '../metadata/types.ts';
import type { Operator } from './types.ts';
import type { ValueKind } from './parsed.ts';

const KIND_BY_TYPE: Record<FieldType, ValueKind> = {
  text: 'text',
  long_text: 'text',
  email: 'text',
  phone: 'text',
  url: 'text',
  autonumber: 'text',
  picklist: 'text',
  id: 'uuid',
  lookup: 'uuid',
  user: 'uuid',
  number: 'number',
  currency: 'number',
  percent: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  multi_picklist: 'multi',
};

const ORDERED: Operator[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'isNull', 'between'];
const TEXT: Operator[] = [...ORDERED, 'in', 'nin', 'contains', 'startsWith'];
const REFERENCE: Operator[] = ['eq', 'ne', 'in', 'nin', 'isNull'];

/**
 * The type/operator matrix. `id` orders like text (useful for keyset paging) but has no
 * substring search; lookups and users only compare the referenced id.
 */
const OPERATORS_BY_TYPE: Record<FieldType, readonly Operator[]> = {
  text: TEXT,
  long_text: TEXT,
  email: TEXT,
  phone: TEXT,
  url: TEXT,
  autonumber: TEXT,
  picklist: TEXT,
  id: [...ORDERED, 'in', 'nin'],
  lookup: REFERENCE,
  user: REFERENCE,
  number: [...ORDERED, 'in', 'nin'],
  currency: [...ORDERED, 'in', 'nin'],
  percent: [...ORDERED, 'in', 'nin'],
  boolean: ['eq', 'ne', 'isNull'],
  date: ORDERED,
  datetime: ORDERED,
  multi_picklist: ['eq', 'ne', 'in', 'nin', 'contains', 'isNull'],
};

export function getValueKind(type: FieldType): ValueKind {
  return KIND_BY_TYPE[type];
}

export function listAllowedOperators(type: FieldType): readonly Operator[] {
  return OPERATORS_BY_TYPE[type];
}

/** Field types a path may walk through, and the object each one points to. */
export function getReferencedObject(field: { type: FieldType; lookup?: { object: string } }): string | undefined {
  if (field.type === 'user') return 'user';
  if (field.type === 'lookup') return field.lookup?.object;
  return undefined;
}
