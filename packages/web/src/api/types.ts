/**
 * Shapes of the Meridian REST API (/api/v1) that the web app reads. Route answers and bodies come
 * from openapi.gen.ts, generated from the server's OpenAPI document (scripts/generate-api-types.ts):
 * change a route's schema on the server and the web app's types follow. Records themselves are
 * shaped by metadata at run time, hence the generic RecordData below.
 */
import type { components, operations } from './openapi.gen';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The JSON answer of an operation (by operationId) for a status. */
export type ResponseOf<Op extends keyof operations, Status extends keyof operations[Op]['responses'] = 200 & keyof operations[Op]['responses']> = JsonOf<operations[Op]['responses'][Status]>;
/** The JSON body an operation takes. */
export type BodyOf<Op extends keyof operations> = operations[Op] extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;

/** A schema's declared properties without its `additionalProperties` index signature. */
export type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

export type FieldDef = Known<ResponseOf<'getField'>> & { formula?: unknown; rollup?: unknown };
export type FieldType = FieldDef['type'];
export type PicklistValue = NonNullable<FieldDef['picklist']>['values'][number];

export const CREATABLE_FIELD_TYPES: FieldType[] = [
  'text', 'long_text', 'email', 'phone', 'url', 'number', 'currency', 'percent', 'boolean',
  'date', 'datetime', 'picklist', 'multi_picklist', 'lookup', 'user', 'autonumber',
];

/** A validation rule; its condition is the condition language (published as Condition). */
export type ValidationRule = Omit<Known<ResponseOf<'createValidationRule', 201>>, 'condition' | 'field'> & { condition: Condition; field?: string | null };

export type ObjectDef = Omit<Known<ResponseOf<'getObject'>>, 'fields' | 'validationRules'> & { fields: FieldDef[]; validationRules: ValidationRule[] };

export type RecordData = Record<string, unknown> & { id: string; version: number };

/** Names of lookup targets: {targetObject: {id: name}}. */
export type DisplayMap = Record<string, Record<string, string>>;

export interface ListResult {
  data: RecordData[];
  nextCursor: string | null;
  display?: DisplayMap;
}

export type Condition = components['schemas']['Condition'];
export type LeafCondition = Extract<Condition, { field: string }>;
export type Operator = LeafCondition['op'];

type GeneratedProblem = Known<components['schemas']['Problem']>;
export type FieldError = GeneratedProblem['errors'][number];

/** A problem document; 409 and 428 answers add the records involved. */
export interface Problem extends Partial<Omit<GeneratedProblem, 'status' | 'code' | 'errors'>> {
  status: number;
  code: string;
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

/** An API token; `token` (the secret) only in the answer that creates it. */
export type ApiToken = ResponseOf<'listApiTokens'>['data'][number] & { token?: string };

export interface BulkResult {
  results: { index: number; ok: boolean; id?: string; errors?: FieldError[] }[];
  succeeded: number;
  failed: number;
}
