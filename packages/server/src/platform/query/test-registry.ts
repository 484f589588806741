/**
 * A tiny MetadataRegistry for the query tests: `user`, `pt_account` (self lookup to a parent)
 * and `pt_item` (one field of every type). Only imported by *.test.ts files.
 */
import type { FieldDefinition, FieldType, MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';

function defineField(apiName: string, type: FieldType, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  const isReference = type === 'lookup' || type === 'user';
  return {
    apiName,
    label: apiName,
    type,
    column: isReference ? `${apiName}_id` : apiName,
    required: false,
    unique: false,
    standard: true,
    readOnly: type === 'id',
    searchable: false,
    externalId: false,
    ...extra,
  };
}

function defineObject(apiName: string, table: string, fields: FieldDefinition[]): ObjectDefinition {
  return {
    apiName,
    label: apiName,
    pluralLabel: `${apiName}s`,
    table,
    standard: true,
    mergeable: false,
    nameField: 'name',
    navOrder: 0,
    inNavigation: true,
    fields,
    validationRules: [],
  };
}

const lookup = (object: string) => ({ lookup: { object, onDelete: 'clear' as const } });

export const USER = defineObject('user', 'obj_pt_user', [
  defineField('id', 'id'),
  defineField('name', 'text'),
  defineField('email', 'email'),
]);

export const ACCOUNT = defineObject('pt_account', 'obj_pt_account', [
  defineField('id', 'id'),
  defineField('name', 'text'),
  defineField('industry', 'picklist', { picklist: { values: [{ value: 'energy', label: 'Energy' }] } }),
  defineField('revenue', 'currency'),
  defineField('founded', 'date'),
  defineField('parent_account', 'lookup', lookup('pt_account')),
  defineField('owner', 'user'),
]);

export const ITEM = defineObject('pt_item', 'obj_pt_item', [
  defineField('id', 'id'),
  defineField('name', 'text'),
  defineField('notes', 'long_text'),
  defineField('email', 'email'),
  defineField('phone', 'phone'),
  defineField('website', 'url'),
  defineField('code', 'autonumber', { autonumber: { prefix: 'IT-', digits: 4 } }),
  defineField('stage', 'picklist', { picklist: { values: [{ value: 'open', label: 'Open' }] } }),
  defineField('tags', 'multi_picklist', { picklist: { values: [{ value: 'a', label: 'A' }] } }),
  defineField('qty', 'number'),
  defineField('price', 'currency'),
  defineField('rate', 'percent'),
  defineField('active', 'boolean'),
  defineField('due', 'date'),
  defineField('at', 'datetime'),
  defineField('account', 'lookup', lookup('pt_account')),
  defineField('owner', 'user'),
]);

export function createTestRegistry(objects: ObjectDefinition[] = [USER, ACCOUNT, ITEM]): MetadataRegistry {
  const byName = new Map(objects.map((o) => [o.apiName, o]));
  return {
    getObject: (apiName) => byName.get(apiName),
    requireObject(apiName) {
      const object = byName.get(apiName);
      if (!object) throw new Error(`unknown object ${apiName}`);
      return object;
    },
    listObjects: () => [...byName.values()],
    getField: (object, apiName) => object.fields.find((f) => f.apiName === apiName),
  };
}

/** DDL for the three tables, with the SQL types compile.ts assumes. */
export const TEST_TABLES_SQL = `
CREATE TABLE obj_pt_user (id uuid PRIMARY KEY, name text, email text, deleted_at timestamptz(3));
CREATE TABLE obj_pt_account (
  id uuid PRIMARY KEY, name text, industry text, revenue numeric(18,2), founded date,
  parent_account_id uuid, owner_id uuid, deleted_at timestamptz(3));
CREATE TABLE obj_pt_item (
  id uuid PRIMARY KEY, name text, notes text, email text, phone text, website text, code text,
  stage text, tags text[], qty numeric, price numeric(18,2), rate numeric, active boolean,
  due date, at timestamptz(3), account_id uuid, owner_id uuid, deleted_at timestamptz(3));
`;
