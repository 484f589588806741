/** Shapes of the Meridian REST API (/api/v1) that the web app reads. */
export type FieldType =
  | 'text' | 'long_text' | 'email' | 'phone' | 'url' | 'number' | 'currency' | 'percent' | 'boolean'
  | 'date' | 'datetime' | 'picklist' | 'multi_picklist' | 'lookup' | 'user' | 'autonumber' | 'id';

export const CREATABLE_FIELD_TYPES: FieldType[] = [
  'text', 'long_text', 'email', 'phone', 'url', 'number', 'currency', 'percent', 'boolean',
  'date', 'datetime', 'picklist', 'multi_picklist', 'lookup', 'user', 'autonumber',
];

export interface PicklistValue {
  value: string;
  label: string;
  active?: boolean;
}

export interface FieldDef {
  apiName: string;
  label: string;
  type: FieldType;
  required: boolean;
  unique: boolean;
  defaultValue: unknown;
  helpText: string | null;
  picklist: { values: PicklistValue[] } | null;
  lookup: { object: string; onDelete: 'restrict' | 'cascade' | 'clear' } | null;
  autonumber: { prefix: string; digits: number } | null;
  standard: boolean;
  readOnly: boolean;
  searchable: boolean;
  externalId: boolean;
}

export interface ValidationRule {
  id: string;
  name: string;
  condition: Condition;
  message: string;
  field?: string | null;
  active: boolean;
}

export interface ObjectDef {
  apiName: string;
  label: string;
  pluralLabel: string;
  description: string | null;
  standard: boolean;
  nameField: string;
  navOrder: number;
  /** False for junction and configuration objects, kept out of the main navigation. */
  inNavigation?: boolean;
  fields: FieldDef[];
  validationRules: ValidationRule[];
}

export type RecordData = Record<string, unknown> & { id: string; version: number };

/** Names of lookup targets: {targetObject: {id: name}}. */
export type DisplayMap = Record<string, Record<string, string>>;

export interface ListResult {
  data: RecordData[];
  nextCursor: string | null;
  display?: DisplayMap;
}

export type Operator = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'nin' | 'contains' | 'startsWith' | 'isNull' | 'between';

export interface LeafCondition {
  field: string;
  op: Operator;
  value?: unknown;
}

export type Condition = { and: Condition[] } | { or: Condition[] } | { not: Condition } | LeafCondition;

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  blockers?: unknown[];
  /** 409 duplicate: the records this one looks like. */
  candidates?: DuplicateCandidate[];
}

export interface DuplicateCandidate {
  id: string;
  name: string | null;
  rule: string;
  score: number;
}

export interface HistoryEntry {
  id: string;
  changeId: string;
  operation: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  actorId: string | null;
  via: string;
  occurredAt: string;
}

export interface Me extends RecordData {
  email: string;
  full_name: string;
  first_name: string | null;
  last_name: string;
  locale: string | null;
  time_zone: string | null;
  isAdmin: boolean;
}

export interface ApiToken {
  id: string;
  name: string;
  token?: string;
  createdAt?: string;
  lastUsedAt?: string | null;
  expiresAt?: string | null;
}

export interface BulkResult {
  results: { index: number; ok: boolean; id?: string; errors?: FieldError[] }[];
  succeeded: number;
  failed: number;
}
