import type { Condition } from '../../api/types';
import type { ApprovalProcess, ApproverSpec, ProcessInput, ProcessStep, SubmitterSpec, UpdateMoment } from './api';

// The approval process builder's draft (ProcessBuilder.tsx) and its way to and from the API's body:
// pure, so the mapping — and where a server error's path is shown — is tested on its own (processDraft.test.ts).

/** The moments of a request a process may update the record at (its fieldUpdates' keys). */
export const MOMENTS: Array<{ value: UpdateMoment; label: string }> = [
  { value: 'submit', label: 'When submitted' }, { value: 'approve', label: 'When approved (after the last step)' },
  { value: 'reject', label: 'When rejected' }, { value: 'recall', label: 'When recalled' },
];
/** The kinds that name someone (the rest stand for a person found from the record or the submitter). */
export const NOUNS: Partial<Record<string, string>> = { user: 'User', role: 'Role', group: 'Group' };

let lastKey = 0;
/** A fresh key for a row of the builder's lists (React keys, focus after a move). */
export const newKey = () => ++lastKey;
export type Keyed<T> = T & { key: number };
export interface StepDraft { key: number; name: string; mode: ProcessStep['mode']; criteria: Condition | null; approvers: Array<Keyed<ApproverSpec>> }
export interface UpdateRow { key: number; field: string; value: unknown }
export interface Draft {
  name: string; label: string; object: string | null; active: boolean; sortOrder: number; entryCriteria: Condition | null;
  submitters: Array<Keyed<SubmitterSpec>>; steps: StepDraft[]; updates: Record<UpdateMoment, UpdateRow[]>;
}

/** The server checks conditions with the condition language's parser; its schema publishes them as plain objects. */
const asCondition = (c: unknown) => (c ?? null) as Condition | null;
export const keyed = <T extends object>(x: T): Keyed<T> => ({ ...x, key: newKey() });
export const newStep = (): StepDraft => ({ key: newKey(), name: '', mode: 'first', criteria: null, approvers: [keyed<ApproverSpec>({ kind: 'manager' })] });

export function toDraft(p?: ApprovalProcess): Draft {
  const updates = Object.fromEntries(MOMENTS.map(({ value: m }) => [m, Object.entries(p?.fieldUpdates?.[m] ?? {}).map(([field, value]) => ({ key: newKey(), field, value }))])) as Draft['updates'];
  return {
    name: p?.name ?? '', label: p?.label ?? '', object: p?.object ?? null, active: p?.active ?? true, sortOrder: p?.sortOrder ?? 0,
    entryCriteria: asCondition(p?.entryCriteria),
    submitters: (p?.submitters ?? [{ kind: 'owner' }]).map(keyed),
    steps: p ? p.steps.map((s) => ({ key: newKey(), name: s.name, mode: s.mode, criteria: asCondition(s.criteria), approvers: s.approvers.map(keyed) })) : [newStep()],
    updates,
  };
}

const principal = <T extends { kind: string; value?: string }>({ kind, value }: Keyed<T>) => ({ kind, ...(NOUNS[kind] && value ? { value } : {}) }) as T;

/** The draft as the body POST and PUT /approval-processes take. */
export function toInput(d: Draft): ProcessInput {
  const fieldUpdates = Object.fromEntries(MOMENTS.filter(({ value: m }) => d.updates[m].length).map(({ value: m }) => [m, Object.fromEntries(d.updates[m].map((r) => [r.field, r.value ?? null]))]));
  return {
    name: d.name, label: d.label, object: d.object ?? '', active: d.active, sortOrder: d.sortOrder,
    entryCriteria: d.entryCriteria,
    submitters: d.submitters.map(principal),
    steps: d.steps.map((s) => ({ name: s.name, mode: s.mode, criteria: s.criteria, approvers: s.approvers.map(principal) })),
    ...(Object.keys(fieldUpdates).length ? { fieldUpdates } : {}),
  };
}

/** Every input path the builder shows, as the server names them in its errors (`steps[1].approvers[0].value`). */
export function shownPaths(d: Draft): string[] {
  const people = (at: string, list: unknown[]) => [at, ...list.flatMap((_, i) => [`${at}[${i}].kind`, `${at}[${i}].value`])];
  return [
    'name', 'label', 'object', 'active', 'sortOrder', 'entryCriteria', ...people('submitters', d.submitters),
    'steps', ...d.steps.flatMap((s, i) => [`steps[${i}].name`, `steps[${i}].mode`, `steps[${i}].criteria`, ...people(`steps[${i}].approvers`, s.approvers)]),
    'fieldUpdates', ...MOMENTS.flatMap(({ value: m }) => d.updates[m].map((r) => `fieldUpdates.${m}.${r.field}`)),
  ];
}

/** An error's path → the deepest input shown at or above it (`steps[0].criteria.and[1]` → `steps[0].criteria`). */
export const deepestShown = (paths: string[]) => (path: string) =>
  paths.filter((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)).reduce((a, b) => (b.length > a.length ? b : a), '') || path;

