import type { FieldDefinition, FieldType, ObjectDefinition, PicklistValue, LookupDeleteBehaviour } from './types.ts';
import type { FormulaReturnType, RollupDefinition } from '../formula/types.ts';

/** Builders for the standard definitions shipped in code (modules/<m>/objects.ts). */
export interface FieldOptions {
  required?: boolean;
  unique?: boolean;
  defaultValue?: unknown;
  helpText?: string;
  values?: Array<string | PicklistValue>;
  lookup?: string;
  onDelete?: LookupDeleteBehaviour;
  searchable?: boolean;
  externalId?: boolean;
  readOnly?: boolean;
  generated?: string;
  autonumber?: { prefix: string; digits: number };
  column?: string;
  /** A formula field (formula/): the expression; the field's type is its return type. */
  formula?: string;
  /** A roll-up summary over child records (formula/rollup.ts); the type is the summary's. */
  rollup?: RollupDefinition;
}

export function columnFor(apiName: string, type: FieldType): string {
  return type === 'lookup' || type === 'user' ? `${apiName}_id` : apiName;
}

/** Turns `some_value` into `Some value` for picklist labels written in code. */
export function humanize(value: string): string {
  const text = value.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function field(apiName: string, label: string, type: FieldType, options: FieldOptions = {}): FieldDefinition {
  const def: FieldDefinition = {
    apiName,
    label,
    type,
    column: options.column ?? columnFor(apiName, type),
    required: options.required ?? false,
    unique: options.unique ?? false,
    standard: true,
    readOnly: options.readOnly ?? Boolean(options.generated),
    searchable: options.searchable ?? false,
    externalId: options.externalId ?? false,
  };
  if (options.defaultValue !== undefined) def.defaultValue = options.defaultValue;
  if (options.helpText) def.helpText = options.helpText;
  if (options.generated) def.generated = options.generated;
  if (options.formula) def.formula = { expression: options.formula, returnType: type as FormulaReturnType };
  if (options.rollup) def.rollup = options.rollup;
  if (def.formula || def.rollup) def.readOnly = true;
  if (options.values) {
    def.picklist = {
      values: options.values.map((v) => (typeof v === 'string' ? { value: v, label: humanize(v), active: true } : { active: true, ...v })),
    };
  }
  if (type === 'lookup' || type === 'user') {
    def.lookup = { object: type === 'user' ? 'user' : (options.lookup ?? apiName), onDelete: options.onDelete ?? 'restrict' };
  }
  if (type === 'autonumber') def.autonumber = options.autonumber ?? { prefix: '', digits: 6 };
  return def;
}

/** The system fields every object has, in the order they are listed after the object's own. */
export function systemFields(): FieldDefinition[] {
  const sys = (apiName: string, label: string, type: FieldType, extra: Partial<FieldDefinition> = {}): FieldDefinition => ({
    ...field(apiName, label, type),
    readOnly: true,
    ...extra,
  });
  return [
    sys('id', 'ID', 'id', { column: 'id' }),
    sys('owner', 'Owner', 'user', { readOnly: false, column: 'owner_id' }),
    sys('created_at', 'Created', 'datetime'),
    sys('updated_at', 'Last modified', 'datetime'),
    sys('created_by', 'Created by', 'user', { column: 'created_by' }),
    sys('updated_by', 'Last modified by', 'user', { column: 'updated_by' }),
    sys('version', 'Version', 'number'),
  ];
}

export interface ObjectOptions {
  apiName: string;
  label: string;
  pluralLabel: string;
  nameField: string;
  description?: string;
  navOrder: number;
  /** Defaults to true. */
  inNavigation?: boolean;
  /** The module merges duplicates of this object. Defaults to false. */
  mergeable?: boolean;
  /** Default list columns after the name field; derived from the fields when absent. */
  listColumns?: string[];
  /** Lookups whose records show this object's records on their timeline (ObjectDefinition.timelineOn). */
  timelineOn?: string[];
  /** Only commands write its records (ObjectDefinition.writtenBySystem). */
  writtenBySystem?: boolean;
  /** The lookup whose record governs access to this one (ObjectDefinition.accessFrom). */
  accessFrom?: string;
  fields: FieldDefinition[];
}

export function defineObject(options: ObjectOptions): ObjectDefinition {
  return {
    apiName: options.apiName,
    label: options.label,
    pluralLabel: options.pluralLabel,
    table: tableFor(options.apiName),
    standard: true,
    nameField: options.nameField,
    description: options.description,
    navOrder: options.navOrder,
    inNavigation: options.inNavigation ?? true,
    mergeable: options.mergeable ?? false,
    ...(options.listColumns ? { listColumns: options.listColumns } : {}),
    ...(options.timelineOn ? { timelineOn: options.timelineOn } : {}),
    ...(options.writtenBySystem ? { writtenBySystem: true } : {}),
    ...(options.accessFrom ? { accessFrom: options.accessFrom } : {}),
    fields: [...options.fields, ...systemFields()],
    validationRules: [],
  };
}

export function tableFor(apiName: string): string {
  return `obj_${apiName}`;
}
