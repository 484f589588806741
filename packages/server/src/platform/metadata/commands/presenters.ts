import type { FieldDefinition, ObjectDefinition } from '../types.ts';
import { listColumnsOf } from '../listColumns.ts';

/** How objects, fields and metadata recycle-bin items are answered by the API. */
export function describeObject(o: ObjectDefinition) {
  return {
    apiName: o.apiName,
    label: o.label,
    pluralLabel: o.pluralLabel,
    description: o.description ?? null,
    standard: o.standard,
    nameField: o.nameField,
    navOrder: o.navOrder,
    inNavigation: o.inNavigation,
    mergeable: o.mergeable,
    ...(o.writtenBySystem ? { writtenBySystem: true } : {}),
    listColumns: listColumnsOf(o),
    fields: o.fields.map(describeField),
    validationRules: o.validationRules,
  };
}

export function describeField(f: FieldDefinition) {
  return {
    apiName: f.apiName,
    label: f.label,
    type: f.type,
    required: f.required,
    unique: f.unique,
    defaultValue: f.defaultValue ?? null,
    helpText: f.helpText ?? null,
    picklist: f.picklist ?? null,
    lookup: f.lookup ?? null,
    autonumber: f.autonumber ?? null,
    standard: f.standard,
    readOnly: f.readOnly,
    searchable: f.searchable,
    externalId: f.externalId,
    // Computed fields (formula/): their type is the value's type; this says how it is computed.
    ...(f.formula ? { formula: f.formula } : {}),
    ...(f.rollup ? { rollup: f.rollup } : {}),
  };
}

export interface MetadataBinItem {
  kind: 'object' | 'field';
  id: string;
  object: string;
  apiName: string;
  label: string;
  deletedAt: string;
}
