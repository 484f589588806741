import { sql, type Kysely, type Transaction } from 'kysely';
import { type Static } from '@sinclair/typebox';
import { T } from '../../platform/http/schema/common.ts';
import type { Platform } from '../../platform/kernel.ts';
import { declaredCapabilities } from '../../platform/module.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { parseCondition, type Condition } from '../../platform/query/index.ts';

/** Who may submit a record: its owner, anyone who may edit it, members of a role or group, one user. */
const Submitter = T.Object({ kind: T.Union([T.Literal('owner'), T.Literal('editor'), T.Literal('role'), T.Literal('group'), T.Literal('user')]), value: T.Optional(T.String({ maxLength: 200 })) }, { additionalProperties: false });
/**
 * An approver: a user, the submitter's manager (their `manager`, else the users in the parent role),
 * the record owner's manager (the same rule applied to the owner), every user of a role or a group,
 * or every active user holding a capability (administrators hold them all).
 */
const Approver = T.Object({ kind: T.Union([T.Literal('user'), T.Literal('manager'), T.Literal('owner_manager'), T.Literal('role'), T.Literal('group'), T.Literal('capability')]), value: T.Optional(T.String({ maxLength: 200 })) }, { additionalProperties: false });
const Updates = T.Record(T.String({ maxLength: 100 }), T.Unknown(), { description: 'Field values written to the record (through the record pipeline, as the system)' });
const ConditionSchema = T.Union([T.Record(T.String(), T.Unknown()), T.Null()], { description: 'A condition in the condition language (docs/decisions/0003-condition-language-semantics.md); null: always' });

export const StepSchema = T.Object({
  name: T.String({ minLength: 1, maxLength: 200 }),
  criteria: T.Optional(ConditionSchema),
  approvers: T.Array(Approver, { minItems: 1, maxItems: 20 }),
  /** first: the first answer decides the step; unanimous: every approver must approve (one rejection rejects). */
  mode: T.Union([T.Literal('first'), T.Literal('unanimous')]),
}, { additionalProperties: false });

export const ProcessInputSchema = T.Object({
  name: T.String({ minLength: 1, maxLength: 100, pattern: '^[a-z][a-z0-9_]*$' }),
  label: T.String({ minLength: 1, maxLength: 200 }),
  object: T.String({ minLength: 1, maxLength: 100 }),
  active: T.Boolean(),
  sortOrder: T.Optional(T.Integer({ minimum: 0, maximum: 10_000 })),
  entryCriteria: T.Optional(ConditionSchema),
  submitters: T.Array(Submitter, { minItems: 1, maxItems: 20 }),
  steps: T.Array(StepSchema, { minItems: 1, maxItems: 20 }),
  fieldUpdates: T.Optional(T.Object({ submit: T.Optional(Updates), approve: T.Optional(Updates), reject: T.Optional(Updates), recall: T.Optional(Updates) }, { additionalProperties: false })),
}, { additionalProperties: false });

export type ProcessInput = Static<typeof ProcessInputSchema>;
export type Step = Static<typeof StepSchema>;
export type ApproverSpec = Step['approvers'][number];
export type Process = ProcessInput & { id: string; sortOrder: number };
export type UpdateMoment = 'submit' | 'approve' | 'reject' | 'recall';

/**
 * Checks a process against the current metadata, naming the field of each problem: the object
 * exists, its conditions parse, its field updates name writable fields of the object, and the
 * users, roles and groups it names exist.
 */
export async function checkProcess(platform: Platform, db: Kysely<any>, input: ProcessInput): Promise<void> {
  const errors: FieldError[] = [];
  const object = platform.registry.getObject(input.object);
  if (!object) throw new AppError('validation_failed', `Unknown object ${input.object}`, { errors: [{ field: 'object', code: 'unknown_object', message: `There is no object ${input.object}` }] });
  if (object.writtenBySystem) errors.push({ field: 'object', code: 'written_by_system', message: `${object.pluralLabel} are written by Meridian only` });
  const condition = (path: string, c: unknown) => {
    if (c === null || c === undefined) return;
    try {
      parseCondition({ input: c as Condition, object, registry: platform.registry });
    } catch (error) {
      errors.push({ field: path, code: 'invalid_condition', message: error instanceof Error ? error.message : 'Not a valid condition' });
    }
  };
  condition('entryCriteria', input.entryCriteria);
  input.steps.forEach((s, i) => condition(`steps[${i}].criteria`, s.criteria));
  for (const [moment, updates] of Object.entries(input.fieldUpdates ?? {})) {
    for (const name of Object.keys(updates ?? {})) {
      const f = platform.registry.getField(object, name);
      if (!f || f.readOnly || f.generated || f.formula || f.rollup || ['id', 'created_at', 'updated_at', 'version'].includes(name)) {
        errors.push({ field: `fieldUpdates.${moment}.${name}`, code: 'not_writable', message: `${name} is not a writable field of ${object.apiName}` });
      }
    }
  }
  const named = [...input.submitters.map((s, i) => ({ path: `submitters[${i}]`, ...s })), ...input.steps.flatMap((s, i) => s.approvers.map((a, j) => ({ path: `steps[${i}].approvers[${j}]`, ...a })))];
  for (const n of named) {
    if (n.kind === 'owner' || n.kind === 'editor' || n.kind === 'manager' || n.kind === 'owner_manager') continue;
    if (!n.value) {
      errors.push({ field: `${n.path}.value`, code: 'required', message: `Name the ${n.kind}` });
      continue;
    }
    if (n.kind === 'capability') {
      const known = declaredCapabilities(platform.modules).some((c) => c.name === n.value);
      if (!known) errors.push({ field: `${n.path}.value`, code: 'unknown_capability', message: `There is no capability ${n.value}` });
      continue;
    }
    const found = n.kind === 'user'
      ? await sql`SELECT 1 FROM obj_user WHERE id::text = ${n.value} AND deleted_at IS NULL`.execute(db)
      : n.kind === 'role' ? await sql`SELECT 1 FROM access_role WHERE name = ${n.value}`.execute(db)
        : await sql`SELECT 1 FROM access_group WHERE name = ${n.value}`.execute(db);
    if (!found.rows.length) errors.push({ field: `${n.path}.value`, code: `unknown_${n.kind}`, message: `There is no ${n.kind} ${n.value}` });
  }
  if (errors.length) throw new AppError('validation_failed', errors[0]!.message, { errors });
}

interface Row { id: string; name: string; object: string; label: string; active: boolean; sort_order: number; definition: ProcessInput }

export function toProcess(r: Row): Process {
  const d = typeof r.definition === 'string' ? (JSON.parse(r.definition) as ProcessInput) : r.definition;
  return { ...d, id: r.id, name: r.name, object: r.object, label: r.label, active: r.active, sortOrder: r.sort_order };
}

export async function readProcesses(db: Kysely<any> | Transaction<any>, where: { object?: string; activeOnly?: boolean } = {}): Promise<Process[]> {
  const r = await sql<Row>`SELECT * FROM approval_process WHERE true
    ${where.object ? sql`AND object = ${where.object}` : sql``} ${where.activeOnly ? sql`AND active` : sql``} ORDER BY object, sort_order, name`.execute(db);
  return r.rows.map(toProcess);
}

/**
 * The active processes per object, cached per process and re-read when the shared metadata
 * version moves (saving a process bumps it through changeConfiguration, so every Meridian process
 * sees the change). The lock hook asks this on every write; for an object without a process the
 * answer is a map lookup.
 */
const cache = new WeakMap<Platform, { version: number; byObject: Map<string, Process[]> }>();

export async function activeProcesses(platform: Platform, db: Kysely<any> | Transaction<any>): Promise<Map<string, Process[]>> {
  const hit = cache.get(platform);
  if (hit && hit.version === platform.registry.version) return hit.byObject;
  const version = platform.registry.version;
  const byObject = new Map<string, Process[]>();
  for (const p of await readProcesses(db, { activeOnly: true })) byObject.set(p.object, [...(byObject.get(p.object) ?? []), p]);
  cache.set(platform, { version, byObject });
  return byObject;
}

export function forgetProcesses(platform: Platform): void {
  cache.delete(platform);
}
