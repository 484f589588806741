import { useEffect, useMemo, useRef, useState } from 'react';
import { ActionIcon, Button, Checkbox, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { adminApi } from '../../api/admin';
import { isEditable, isSystemField, useMetadata } from '../../api/metadata';
import { queryRecords } from '../../api/records';
import type { FieldDef, ObjectDef } from '../../api/types';
import { FieldInput } from '../../components/FieldInput';
import { FilterBuilder } from '../../components/FilterBuilder';
import { FormSummary } from '../../components/FormSummary';
import { LookupSelect } from '../../components/LookupSelect';
import { NotFound } from '../../components/NotFound';
import { ErrorState, Loading } from '../../components/PageState';
import { UnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { useApiForm } from '../../lib/useApiForm';
import { toApiName } from '../settings/AdminOnly';
import { approvalsApi, processesKey, type ApprovalProcess, type ApproverSpec, type ProcessStep, type SubmitterSpec, type UpdateMoment } from './api';
import { deepestShown, MOMENTS, newKey, newStep, NOUNS, shownPaths, toDraft, toInput, type Draft, type Keyed, type StepDraft, type UpdateRow } from './processDraft';
import { PROCESSES_PATH } from './ProcessesPage';

const SUBMITTER_KINDS: Array<{ value: SubmitterSpec['kind']; label: string }> = [
  { value: 'owner', label: "The record's owner" }, { value: 'editor', label: 'Anyone who may edit it' },
  { value: 'role', label: 'Users in a role' }, { value: 'group', label: 'Members of a group' }, { value: 'user', label: 'A user' },
];
const APPROVER_KINDS: Array<{ value: ApproverSpec['kind']; label: string }> = [
  { value: 'user', label: 'A user' }, { value: 'manager', label: "The submitter's manager" },
  { value: 'role', label: 'Every user in a role' }, { value: 'group', label: 'Every member of a group' },
];
const MODES: Array<{ value: ProcessStep['mode']; label: string }> = [
  { value: 'first', label: 'The first answer decides' }, { value: 'unanimous', label: 'Every approver must approve' },
];
/** Fields a process may set on the record: what the server accepts (not read-only, computed or system; the owner may be assigned). */
const updatable = (o: ObjectDef) => o.fields.filter((f) => isEditable(f) && !f.formula && !f.rollup && (f.apiName === 'owner' || !isSystemField(f)));

/** /settings/approval-processes/new and /$id: loads the process (edit) and opens the builder. */
export function ProcessBuilderPage({ id }: { id?: string }) {
  const processes = useQuery({ queryKey: processesKey, queryFn: approvalsApi.processes, enabled: !!id });
  const metadata = useMetadata();
  if (metadata.isLoading || (id && processes.isLoading)) return <Loading label="Loading the approval process" />;
  if (processes.error) return <ErrorState error={processes.error} />;
  const process = id ? processes.data?.find((p) => p.id === id) : undefined;
  if (id && !process) return <NotFound what="approval process" />;
  return <ProcessBuilder key={id ?? 'new'} process={process} />;
}

/**
 * The approval process builder (issue 14 item 11, in the manner of the workflow rule builder):
 * name and object, entry criteria with the list views' filter builder, submitters, ordered steps
 * (criteria, approvers, first answer or unanimous; added, removed and moved with buttons) and
 * field updates per moment with the record form's typed inputs. The server checks the whole
 * process; each of its errors is shown at the input its path names.
 */
function ProcessBuilder({ process }: { process?: ApprovalProcess }) {
  const { objects, byName } = useMetadata();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [d, setD] = useState<Draft>(() => toDraft(process));
  const [nameTouched, setNameTouched] = useState(!!process);
  const initial = useMemo(() => JSON.stringify(toInput(toDraft(process))), [process]);
  const paths = shownPaths(d);
  const form = useApiForm({
    fields: paths,
    fieldOf: deepestShown(paths),
    submit: () => approvalsApi.saveProcess(toInput(d), process?.id),
    onSuccess: async (saved) => {
      notifications.show({ color: 'green', message: `${saved.label} is saved` });
      await qc.invalidateQueries({ queryKey: ['approvals'] });
      await navigate({ to: PROCESSES_PATH });
    },
  });
  const err = (path: string) => form.errors[path];
  const set = (patch: Partial<Draft>, ...changed: string[]) => {
    setD((x) => ({ ...x, ...patch }));
    changed.forEach(form.clearError);
  };
  /** Errors under a list are stale once its rows are added, removed or moved. */
  const forget = (prefix: string) => Object.keys(form.errors).filter((k) => k.startsWith(prefix)).forEach(form.clearError);
  const object = d.object ? byName(d.object) : undefined;
  const objectOptions = useMemo(() => objects.filter((o) => !o.writtenBySystem).map((o) => ({ value: o.apiName, label: o.label })).sort((a, b) => a.label.localeCompare(b.label)), [objects]);

  // Moving a step keeps focus on the button pressed, or its twin when the step reached an end.
  const moved = useRef<{ key: number; dir: 'up' | 'down' } | null>(null);
  useEffect(() => {
    const m = moved.current;
    if (!m) return;
    moved.current = null;
    const at = (dir: string) => document.querySelector<HTMLButtonElement>(`[data-step-key="${m.key}"] [data-move="${dir}"]`);
    const button = at(m.dir);
    (button && !button.disabled ? button : at(m.dir === 'up' ? 'down' : 'up'))?.focus();
  }, [d.steps]);

  const setStep = (i: number, patch: Partial<StepDraft>, ...changed: string[]) => set({ steps: d.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) }, ...changed);
  const moveStep = (i: number, by: -1 | 1) => {
    const steps = [...d.steps];
    const [s] = steps.splice(i, 1);
    steps.splice(i + by, 0, s!);
    moved.current = { key: s!.key, dir: by < 0 ? 'up' : 'down' };
    forget('steps');
    set({ steps });
  };

  return (
    <form ref={form.formRef} onSubmit={form.onSubmit} noValidate>
    <Stack gap="md" maw={1000}>
      <UnsavedChangesGuard when={JSON.stringify(toInput(d)) !== initial && !form.pending} />
      <div>
        <Title order={1}>{process ? `Edit approval process: ${process.label}` : 'New approval process'}</Title>
        <Text size="sm" c="dimmed">Records of the object are submitted, locked while pending, and answered step by step.</Text>
      </div>
      <FormSummary summary={form.summary} errors={form.errors} />

      <Paper withBorder p="sm" component="section" aria-labelledby="pb-process">
        <Title order={2} size="h5" id="pb-process" mb="xs">Process</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput label="Label" required value={d.label} error={err('label')}
            onChange={(e) => { const label = e.currentTarget.value; set({ label, ...(nameTouched ? {} : { name: toApiName(label) }) }, 'label', 'name'); }} />
          <TextInput label="API name" required value={d.name} error={err('name')} disabled={!!process}
            description={process ? 'Pending requests find their process by it' : 'Lower-case letters, digits and _'}
            onChange={(e) => { setNameTouched(true); set({ name: e.currentTarget.value }, 'name'); }} />
        </SimpleGrid>
        <Group align="flex-start" wrap="wrap" mt="xs">
          <Select label="Object" required searchable data={objectOptions} value={d.object} error={err('object')} w={260}
            description="Whose records are submitted"
            onChange={(v) => set({ object: v, entryCriteria: null, steps: d.steps.map((s) => ({ ...s, criteria: null })), updates: toDraft().updates }, 'object')} />
          <NumberInput label="Order" w={140} min={0} max={10000} value={d.sortOrder} error={err('sortOrder')} description="Lower is tried first"
            onChange={(v) => set({ sortOrder: Number(v) || 0 }, 'sortOrder')} />
          <Checkbox label="Active" mt={34} checked={d.active} error={err('active')} onChange={(e) => set({ active: e.currentTarget.checked }, 'active')} />
        </Group>
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="pb-entry">
        <Title order={2} size="h5" id="pb-entry" mb={4}>Entry criteria</Title>
        <Text size="sm" c="dimmed" mb="xs">Which records the process applies to; with none, every record of the object. A submit uses the first active process, by order, whose criteria the record meets.</Text>
        {object ? <FilterBuilder key={object.apiName} object={object} value={d.entryCriteria} onChange={(c) => set({ entryCriteria: c }, 'entryCriteria')} label="Entry criteria" />
          : <Text size="sm" c="dimmed">Choose the object first.</Text>}
        <ErrorText error={err('entryCriteria')} />
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="pb-submitters">
        <Title order={2} size="h5" id="pb-submitters" mb={4}>Submitters</Title>
        <Text size="sm" c="dimmed" mb="xs">Who may submit a record. Administrators always may.</Text>
        <People what="submitter" kinds={SUBMITTER_KINDS} list={d.submitters} at="submitters" err={err}
          onChange={(submitters, ...changed) => set({ submitters }, ...changed)} onRowsChanged={() => forget('submitters')} />
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="pb-steps">
        <Title order={2} size="h5" id="pb-steps" mb={4}>Steps</Title>
        <Text size="sm" c="dimmed" mb="xs">In order. A step whose criteria the record does not meet is skipped; the request is approved after the last step.</Text>
        <ErrorText error={err('steps')} />
        <Stack gap="sm">
          {d.steps.map((s, i) => (
            <Paper key={s.key} withBorder p="sm" component="fieldset" data-step-key={s.key} style={{ margin: 0 }}>
              <Text component="legend" fw={600} size="sm" style={{ float: 'left', padding: 0 }}>Step {i + 1}</Text>
              <Group justify="flex-end" wrap="nowrap" mb="xs">
                <Group gap={4} wrap="nowrap">
                  <ActionIcon variant="subtle" data-move="up" aria-label={`Move step ${i + 1} up`} disabled={i === 0} onClick={() => moveStep(i, -1)}>↑</ActionIcon>
                  <ActionIcon variant="subtle" data-move="down" aria-label={`Move step ${i + 1} down`} disabled={i === d.steps.length - 1} onClick={() => moveStep(i, 1)}>↓</ActionIcon>
                  <ActionIcon variant="subtle" color="red" aria-label={`Remove step ${i + 1}`} disabled={d.steps.length === 1}
                    onClick={() => { forget('steps'); set({ steps: d.steps.filter((x) => x.key !== s.key) }); }}>✕</ActionIcon>
                </Group>
              </Group>
              <Stack gap="xs" style={{ clear: 'both' }}>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                  <TextInput label="Step name" required value={s.name} error={err(`steps[${i}].name`)} onChange={(e) => setStep(i, { name: e.currentTarget.value }, `steps[${i}].name`)} />
                  <Select label="Decided by" data={MODES} value={s.mode} allowDeselect={false} error={err(`steps[${i}].mode`)}
                    onChange={(v) => setStep(i, { mode: (v ?? 'first') as ProcessStep['mode'] }, `steps[${i}].mode`)}
                    description={s.mode === 'first' ? 'The first approver to answer decides the step' : 'One rejection rejects the request'} />
                </SimpleGrid>
                <Text size="sm" fw={500}>Approvers</Text>
                <People what="approver" kinds={APPROVER_KINDS} list={s.approvers} at={`steps[${i}].approvers`} err={err}
                  onChange={(approvers, ...changed) => setStep(i, { approvers }, ...changed)} onRowsChanged={() => forget(`steps[${i}].approvers`)} />
                <Text size="sm" fw={500}>Criteria</Text>
                {object ? <FilterBuilder key={`${object.apiName}/${s.key}`} object={object} value={s.criteria} onChange={(c) => setStep(i, { criteria: c }, `steps[${i}].criteria`)} label={`Criteria of step ${i + 1}`} />
                  : <Text size="sm" c="dimmed">Choose the object first.</Text>}
                <ErrorText error={err(`steps[${i}].criteria`)} />
              </Stack>
            </Paper>
          ))}
        </Stack>
        <Button mt="sm" size="xs" variant="light" onClick={() => { forget('steps'); set({ steps: [...d.steps, newStep()] }); }} disabled={d.steps.length >= 20}>Add step</Button>
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="pb-updates">
        <Title order={2} size="h5" id="pb-updates" mb={4}>Field updates</Title>
        <Text size="sm" c="dimmed" mb="xs">Values written to the record, as the system, at each moment of a request.</Text>
        <ErrorText error={err('fieldUpdates')} />
        {object ? (
          <Stack gap="sm">
            {MOMENTS.map((m) => (
              <FieldUpdates key={m.value} object={object} moment={m} rows={d.updates[m.value]} err={err}
                onChange={(rows, ...changed) => set({ updates: { ...d.updates, [m.value]: rows } }, ...changed)} />
            ))}
          </Stack>
        ) : <Text size="sm" c="dimmed">Choose the object first.</Text>}
      </Paper>

      <Group justify="flex-end">
        <Button variant="default" onClick={() => void navigate({ to: PROCESSES_PATH })}>Cancel</Button>
        <Button type="submit" loading={form.pending}>Save process</Button>
      </Group>
    </Stack>
    </form>
  );
}

function ErrorText({ error }: { error?: string }) {
  return error ? <Text size="sm" c="red.8" role="alert" mt={4}>{error}</Text> : null;
}

type ErrorAt = (path: string) => string | undefined;

/** Submitters or a step's approvers: a kind per row, and the user, role or group it names. */
function People<T extends { kind: string; value?: string }>({ what, kinds, list, at, err, onChange, onRowsChanged }: {
  what: 'submitter' | 'approver'; kinds: Array<{ value: T['kind']; label: string }>; list: Array<Keyed<T>>; at: string; err: ErrorAt;
  onChange: (list: Array<Keyed<T>>, ...changed: string[]) => void; onRowsChanged: () => void;
}) {
  const replace = (i: number, row: Keyed<T>, ...changed: string[]) => onChange(list.map((x, j) => (j === i ? row : x)), ...changed);
  return (
    <Stack gap="xs">
      <ErrorText error={err(at)} />
      {list.map((p, i) => {
        const noun = NOUNS[p.kind];
        return (
          <Group key={p.key} gap="xs" align="flex-start" wrap="wrap">
            <Select label={`${what === 'submitter' ? 'Submitter' : 'Approver'} ${i + 1}`} data={kinds} value={p.kind} allowDeselect={false} w={240} error={err(`${at}[${i}].kind`)}
              onChange={(v) => replace(i, { ...p, kind: v ?? p.kind, value: undefined }, `${at}[${i}].kind`, `${at}[${i}].value`)} />
            {noun && <Named kind={p.kind} label={`${noun} (${what} ${i + 1})`} value={p.value ?? null} error={err(`${at}[${i}].value`)}
              onChange={(v) => replace(i, { ...p, value: v ?? undefined }, `${at}[${i}].value`)} />}
            <ActionIcon variant="subtle" color="red" mt={28} aria-label={`Remove ${what} ${i + 1}`} disabled={list.length === 1}
              onClick={() => { onRowsChanged(); onChange(list.filter((x) => x.key !== p.key)); }}>✕</ActionIcon>
          </Group>
        );
      })}
      <Button size="xs" variant="subtle" w="fit-content" disabled={list.length >= 20}
        onClick={() => { onRowsChanged(); onChange([...list, { key: newKey(), kind: kinds[0]!.value } as Keyed<T>]); }}>Add {what}</Button>
    </Stack>
  );
}

const USER_FIELD = { apiName: 'user', label: 'User', type: 'user' } as FieldDef;

/** The user (a search over users), role or group a submitter or approver names. */
function Named({ kind, label, value, error, onChange }: { kind: string; label: string; value: string | null; error?: string; onChange: (v: string | null) => void }) {
  const roles = useQuery({ queryKey: ['roles'], queryFn: adminApi.roles, enabled: kind === 'role' });
  const groups = useQuery({ queryKey: ['groups'], queryFn: adminApi.groups, enabled: kind === 'group' });
  // The name of a user already chosen (editing a process): the user select shows it, not the id.
  const user = useQuery({
    queryKey: ['approvals', 'user-name', value], enabled: kind === 'user' && !!value, staleTime: 60_000,
    queryFn: () => queryRecords('user', { filter: { field: 'id', op: 'eq', value: value! }, fields: ['id', 'full_name'], limit: 1, display: false }),
  });
  const display = useMemo(() => ({ user: Object.fromEntries((user.data?.data ?? []).map((u) => [u.id, String(u.full_name ?? u.id)])) }), [user.data]);
  if (kind === 'user') return <div style={{ width: 280 }}><LookupSelect field={USER_FIELD} label={label} value={value} onChange={onChange} display={display} error={error} allowCreate={false} /></div>;
  const options = kind === 'role' ? (roles.data ?? []).map((r) => ({ value: r.name, label: r.label })) : (groups.data ?? []).map((g) => ({ value: g.name, label: g.label ?? g.name }));
  // A saved name that no longer exists stays visible, so the server's error about it makes sense.
  if (value && !options.some((o) => o.value === value)) options.push({ value, label: value });
  return <Select label={label} data={options} value={value} onChange={onChange} searchable error={error} w={240} nothingFoundMessage={`No ${kind}s`} />;
}

/** One moment's field updates: a field picker and a typed value per row, over the object's writable fields. */
function FieldUpdates({ object, moment, rows, err, onChange }: {
  object: ObjectDef; moment: { value: UpdateMoment; label: string }; rows: UpdateRow[]; err: ErrorAt; onChange: (rows: UpdateRow[], ...changed: string[]) => void;
}) {
  const fields = updatable(object);
  const options = (own?: string) => fields.filter((f) => f.apiName === own || !rows.some((r) => r.field === f.apiName)).map((f) => ({ value: f.apiName, label: f.label }));
  const path = (field: string) => `fieldUpdates.${moment.value}.${field}`;
  const blank = (f?: FieldDef) => (f?.type === 'boolean' ? false : null);
  return (
    <Paper withBorder p="xs" component="fieldset" style={{ margin: 0 }}>
      <Text component="legend" size="sm" fw={600} px={4}>{moment.label}</Text>
      <Stack gap={6}>
        {rows.map((r) => {
          const f = fields.find((x) => x.apiName === r.field) ?? object.fields.find((x) => x.apiName === r.field);
          return (
            <Group key={r.key} gap="xs" align="flex-start" wrap="wrap">
              <Select label="Field" w={220} searchable allowDeselect={false} data={options(r.field)} value={r.field} error={f ? undefined : err(path(r.field))}
                onChange={(v) => v && onChange(rows.map((x) => (x.key === r.key ? { ...x, field: v, value: blank(fields.find((y) => y.apiName === v)) } : x)), path(r.field))} />
              <div style={{ flex: 1, minWidth: 200 }}>
                {f ? <FieldInput field={{ ...f, required: false }} value={r.value} error={err(path(r.field))} onChange={(v) => onChange(rows.map((x) => (x.key === r.key ? { ...x, value: v } : x)), path(r.field))} />
                  : <Text size="sm" c="dimmed" mt={28}>{r.field} is not a field of {object.label}</Text>}
              </div>
              <ActionIcon variant="subtle" color="red" mt={28} aria-label={`Remove ${f?.label ?? r.field} (${moment.label.toLowerCase()})`}
                onClick={() => onChange(rows.filter((x) => x.key !== r.key), path(r.field))}>✕</ActionIcon>
            </Group>
          );
        })}
        <Select aria-label={`Add a field to set ${moment.label.toLowerCase()}`} placeholder="Add a field…" searchable data={options()} value={null} w={260}
          onChange={(v) => v && onChange([...rows, { key: newKey(), field: v, value: blank(fields.find((f) => f.apiName === v)) }])} />
      </Stack>
    </Paper>
  );
}
