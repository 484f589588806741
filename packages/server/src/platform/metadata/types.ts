/**
 * The one definition shape that tables, validation, OpenAPI, forms, filters and reports read.
 * Standard objects are written in code (modules/<m>/objects.ts); custom objects and fields are
 * rows in meta_object / meta_field; registry.ts resolves both into these types.
 */
import type { Condition } from '../query/types.ts';
import type { FormulaDefinition, RollupDefinition } from '../formula/types.ts';

export const FIELD_TYPES = [
  'text',
  'long_text',
  'email',
  'phone',
  'url',
  'number',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
  'picklist',
  'multi_picklist',
  'lookup',
  'user',
  'autonumber',
] as const;

/** `id` is the primary key type; it is never created by an admin. */
export type FieldType = (typeof FIELD_TYPES)[number] | 'id';

export interface PicklistValue {
  value: string;
  label: string;
  /** Inactive values stay readable on old records but cannot be newly chosen. */
  active?: boolean;
}

export type LookupDeleteBehaviour = 'restrict' | 'cascade' | 'clear';

export interface FieldDefinition {
  apiName: string;
  label: string;
  type: FieldType;
  /** Column in the object's table (lookups and users end in _id). */
  column: string;
  required: boolean;
  unique: boolean;
  defaultValue?: unknown;
  helpText?: string;
  /** `global`: the values come from that global picklist (metadata/picklists/), shared with other fields. */
  picklist?: { values: PicklistValue[]; global?: string };
  lookup?: { object: string; onDelete: LookupDeleteBehaviour };
  autonumber?: { prefix: string; digits: number };
  /** Shipped in code (cannot be deleted or retyped) vs. added by an admin. */
  standard: boolean;
  /** Maintained by Meridian (id, timestamps, version, computed names): never written by clients. */
  readOnly: boolean;
  /** Included in global search and the record's display name search. */
  searchable: boolean;
  /** May be used as the key of bulk upserts. */
  externalId: boolean;
  /** SQL expression for a stored generated column (computed by the database, read-only). */
  generated?: string;
  /**
   * A formula field (formula/): computed when read, never stored, so it has no column; `type` is
   * its return type and it is read-only.
   */
  formula?: FormulaDefinition;
  /** A roll-up summary over child records (formula/rollup.ts): computed when read like a formula. */
  rollup?: RollupDefinition;
}

export interface ValidationRule {
  id: string;
  name: string;
  /** The condition a record must satisfy to be saved. */
  condition: Condition;
  message: string;
  /** Field the error is reported on, if any. */
  field?: string;
  active: boolean;
}

export interface ObjectDefinition {
  apiName: string;
  label: string;
  pluralLabel: string;
  /** Table holding the records. */
  table: string;
  standard: boolean;
  /** Field whose value names a record in lists, lookups and search results. */
  nameField: string;
  description?: string;
  /** Order in the app's navigation (admins may change it). */
  navOrder: number;
  /** Shown in the app's main navigation; junction and configuration objects are reached from their parents or Settings. */
  inNavigation: boolean;
  /** The app offers to find and merge its duplicates (the merge route itself takes any object but users). */
  mergeable: boolean;
  fields: FieldDefinition[];
  validationRules: ValidationRule[];
  /** The list's default columns (after the name) when the user has no saved view; derived when absent (metadata/listColumns.ts). */
  listColumns?: string[];
  /**
   * Lookup fields whose records list this object's records on their timeline (an order on its
   * account's, contact's and opportunity's): the timeline reads them through these lookups, with
   * the reader's access, newest first among the record's history. Standard objects only.
   */
  timelineOn?: string[];
  /**
   * Only Meridian's own commands write the records (a log, a run's outcome): a create or update
   * without the command's system values is refused with 403 in the record pipeline. Standard objects only.
   */
  writtenBySystem?: boolean;
  /**
   * A required lookup whose record governs who sees and changes this one ("controlled by parent",
   * as Salesforce's master–detail): a stage change is visible to whoever may see its deal, an
   * invoice line to whoever may see its invoice — whoever created it. The object's own sharing
   * setting does not apply (platform/access/policy.ts). Standard objects only.
   */
  accessFrom?: string;
}

/** Read access to the resolved definitions; everything that needs metadata takes this. */
export interface MetadataRegistry {
  getObject(apiName: string): ObjectDefinition | undefined;
  requireObject(apiName: string): ObjectDefinition;
  listObjects(): ObjectDefinition[];
  getField(object: ObjectDefinition, apiName: string): FieldDefinition | undefined;
}

/** Field names every record table has; admins cannot reuse them. */
export const SYSTEM_FIELD_NAMES = [
  'id',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'owner',
  'version',
  'deleted_at',
] as const;
