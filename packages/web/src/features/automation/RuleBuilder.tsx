import { useMemo, useState } from 'react';
import { ActionIcon, Alert, Badge, Button, Checkbox, Group, List, Menu, Modal, NumberInput, Paper, Select, Stack, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { isSystemField, useMetadata } from '../../api/metadata';
import { createRecord, updateRecord } from '../../api/records';
import type { Condition, FieldDef, ObjectDef, RecordData } from '../../api/types';
import { FilterBuilder } from '../../components/FilterBuilder';
import { LookupSelect } from '../../components/LookupSelect';
import { automationApi, type RulePreview } from './api';

/** The triggers and phases the server accepts (modules/automation/spec.ts), in words. */
const TRIGGERS = [
  { value: 'created', label: 'A record is created' },
  { value: 'updated', label: 'A record is updated' },
  { value: 'created_or_updated', label: 'A record is created or updated' },
  { value: 'deleted', label: 'A record is deleted' },
  { value: 'field_changed', label: 'A field changes' },
  { value: 'scheduled', label: 'On a schedule' },
];
const RECIPIENTS = ['owner', 'manager', 'rule_owner'];

interface ActionDraft { key: number; type: string; config: Record<string, unknown> }
interface Draft {
  name: string; target_object: string | null; active: boolean; run_order: number; description: string;
  trigger: string; trigger_field: string | null; trigger_from: string; trigger_to: string; schedule_cron: string;
  condition: Condition | null; only_on_change: boolean; phase: string;
  delay: boolean; delay_amount: number; delay_unit: string; delay_from: string;
  actions: ActionDraft[];
}

let nextKey = 1;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
function parseJson<T>(text: unknown, fallback: T): T {
  try {
    return text ? (JSON.parse(String(text)) as T) : fallback;
  } catch {
    return fallback;
  }
}

/** A saved rule (or nothing) as the builder's draft. */
function toDraft(rule?: RecordData): Draft {
  const actions = parseJson<Array<Record<string, unknown>>>(rule?.actions, []);
  return {
    name: str(rule?.name), target_object: (rule?.target_object as string) ?? null, active: rule ? rule.active !== false : true,
    run_order: Number(rule?.run_order ?? 100), description: str(rule?.description),
    trigger: str(rule?.trigger) || 'created', trigger_field: (rule?.trigger_field as string) ?? null,
    trigger_from: str(rule?.trigger_from), trigger_to: str(rule?.trigger_to), schedule_cron: str(rule?.schedule_cron),
    condition: parseJson<Condition | null>(rule?.condition, null), only_on_change: rule?.only_on_change === true,
    phase: str(rule?.phase) || 'after_save',
    delay: rule?.delay_amount !== null && rule?.delay_amount !== undefined, delay_amount: Number(rule?.delay_amount ?? 1),
    delay_unit: str(rule?.delay_unit) || 'days', delay_from: str(rule?.delay_from) || 'event',
    actions: actions.map(({ type, ...config }) => ({ key: nextKey++, type: String(type), config })),
  };
}

/** The draft as the rule's field values (condition and actions are JSON text). */
function toValues(d: Draft): Record<string, unknown> {
  const changed = d.trigger === 'field_changed';
  return {
    name: d.name, target_object: d.target_object, active: d.active, run_order: d.run_order, description: d.description || null,
    trigger: d.trigger, trigger_field: changed ? d.trigger_field : null,
    trigger_from: changed && d.trigger_from ? d.trigger_from : null, trigger_to: changed && d.trigger_to ? d.trigger_to : null,
    schedule_cron: d.trigger === 'scheduled' ? d.schedule_cron : null,
    condition: d.condition ? JSON.stringify(d.condition) : null, only_on_change: d.only_on_change, phase: d.phase,
    delay_amount: d.delay && d.phase === 'after_save' && d.trigger !== 'scheduled' ? d.delay_amount : null,
    delay_unit: d.delay_unit, delay_from: d.delay_from === 'event' ? null : d.delay_from,
    actions: JSON.stringify(d.actions.map((a) => ({ type: a.type, ...a.config }))),
  };
}

/** Fields a rule may set: not system, computed or read-only (the owner may be assigned). */
const writable = (o: ObjectDef) => o.fields.filter((f) => (f.apiName === 'owner' || (!isSystemField(f) && !f.readOnly)) && !f.formula && !f.rollup && f.type !== 'autonumber' && f.type !== 'id');
const fieldOptions = (fields: FieldDef[]) => fields.map((f) => ({ value: f.apiName, label: f.label }));

/**
 * The guided rule builder (issue 14 item 11): the object and trigger, the entry condition with the
 * filter builder, the phase and delay, and each action with field pickers and template inputs —
 * previewed on a real record before saving (POST /automation/rules/preview renders every template
 * and says what each action would do, writing nothing). Saving goes through the record pipeline
 * like any rule; the server's field errors (actions[1].values.subject) are shown at the action.
 */
export function RuleBuilderModal({ opened, rule, onClose, onSaved }: { opened: boolean; rule?: RecordData; onClose: () => void; onSaved: (r: RecordData) => void }) {
  const phone = useMediaQuery('(max-width: 48em)');
  return (
    <Modal opened={opened} onClose={onClose} title={rule ? `Edit rule: ${str(rule.name)}` : 'New workflow rule'} size="xl" fullScreen={phone}>
      {opened && <RuleBuilder rule={rule} onCancel={onClose} onSaved={onSaved} />}
    </Modal>
  );
}

function RuleBuilder({ rule, onCancel, onSaved }: { rule?: RecordData; onCancel: () => void; onSaved: (r: RecordData) => void }) {
  const { objects, byName } = useMetadata();
  const [d, setD] = useState<Draft>(() => toDraft(rule));
  const [errors, setErrors] = useState<Array<{ field: string; message: string }>>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const object = d.target_object ? byName(d.target_object) : undefined;
  const catalogue = useQuery({ queryKey: ['automation', 'actions'], queryFn: () => automationApi.actions() });
  const types = (catalogue.data?.data ?? []).filter((a) => a.phases.includes(d.phase));
  const errorAt = (field: string) => errors.filter((e) => e.field === field).map((e) => e.message).join('; ') || undefined;
  const objectOptions = useMemo(() => objects.filter((o) => o.apiName !== 'automation_rule').map((o) => ({ value: o.apiName, label: o.label })).sort((a, b) => a.label.localeCompare(b.label)), [objects]);
  const dateFields = object?.fields.filter((f) => f.type === 'date' || f.type === 'datetime') ?? [];

  const save = async () => {
    setSaving(true);
    setErrors([]);
    setFailure(null);
    try {
      const values = toValues(d);
      const saved = rule ? await updateRecord('automation_rule', rule.id, values, rule.version) : await createRecord('automation_rule', values);
      onSaved(saved as RecordData);
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors().length) setErrors(error.fieldErrors().map((e) => ({ field: e.field, message: e.message })));
      setFailure(errorMessage(error));
    } finally {
      setSaving(false);
    }
  };
  const updateAction = (key: number, config: Record<string, unknown>) => {
    // The server's errors about this action are stale once it changes.
    const at = `actions[${d.actions.findIndex((a) => a.key === key)}]`;
    setErrors((list) => list.filter((e) => e.field !== at && !e.field.startsWith(`${at}.`)));
    set({ actions: d.actions.map((a) => (a.key === key ? { ...a, config } : a)) });
  };
  const moveAction = (i: number, by: number) => {
    const list = [...d.actions];
    const [a] = list.splice(i, 1);
    list.splice(i + by, 0, a!);
    set({ actions: list });
  };

  return (
    <Stack gap="md">
      <Group grow align="flex-start" wrap="wrap">
        <TextInput label="Name" required value={d.name} onChange={(e) => set({ name: e.currentTarget.value })} error={errorAt('name')} />
        <Select label="Object" required searchable data={objectOptions} value={d.target_object} error={errorAt('target_object')}
          onChange={(v) => set({ target_object: v, condition: null, trigger_field: null, actions: [] })} description="Whose records start the rule" />
      </Group>
      <Group align="flex-end" wrap="wrap">
        <Checkbox label="Active" checked={d.active} onChange={(e) => set({ active: e.currentTarget.checked })} />
        <NumberInput label="Order" w={120} min={0} value={d.run_order} onChange={(v) => set({ run_order: Number(v) || 0 })} description="Lower runs first" />
      </Group>

      <Paper withBorder p="sm" component="section" aria-labelledby="rb-when">
        <Title order={3} size="h5" id="rb-when" mb="xs">When</Title>
        <Stack gap="xs">
          <Select label="Trigger" data={TRIGGERS} value={d.trigger} allowDeselect={false} error={errorAt('trigger')}
            onChange={(v) => set({ trigger: v ?? 'created', ...(v === 'scheduled' ? { phase: 'after_save' } : {}) })} />
          {d.trigger === 'field_changed' && (
            <Group grow align="flex-start" wrap="wrap">
              <Select label="Field" searchable data={object ? fieldOptions(object.fields) : []} value={d.trigger_field} onChange={(v) => set({ trigger_field: v })} error={errorAt('trigger_field')} disabled={!object} />
              <TextInput label="From (optional)" value={d.trigger_from} onChange={(e) => set({ trigger_from: e.currentTarget.value })} error={errorAt('trigger_from')} description="Any previous value when empty" />
              <TextInput label="To (optional)" value={d.trigger_to} onChange={(e) => set({ trigger_to: e.currentTarget.value })} error={errorAt('trigger_to')} description="Any new value when empty" />
            </Group>
          )}
          {d.trigger === 'scheduled' && (
            <TextInput label="Schedule (cron)" value={d.schedule_cron} onChange={(e) => set({ schedule_cron: e.currentTarget.value })} error={errorAt('schedule_cron')}
              description="Five fields in the organisation's time zone: 0 8 * * 1 is Mondays at 08:00. The condition below picks the records." />
          )}
          {object ? (
            <FilterBuilder object={object} value={d.condition} onChange={(c) => set({ condition: c })} label="Entry condition" />
          ) : <Text size="sm" c="dimmed">Choose the object to set the entry condition.</Text>}
          {errorAt('condition') && <Text size="sm" c="red" role="alert">{errorAt('condition')}</Text>}
          {d.trigger !== 'scheduled' && d.trigger !== 'deleted' && (
            <Checkbox label="Only when the record starts to meet the condition" checked={d.only_on_change} onChange={(e) => set({ only_on_change: e.currentTarget.checked })} />
          )}
          {d.trigger !== 'scheduled' && (
            <Select label="Phase" allowDeselect={false} value={d.phase} error={errorAt('phase')}
              data={[{ value: 'after_save', label: 'After save — actions run after the commit, retried on failure' }, { value: 'before_save', label: 'Before save — change the record itself in the same write' }]}
              onChange={(v) => set({ phase: v ?? 'after_save', actions: d.actions.filter((a) => v !== 'before_save' || a.type === 'update_fields') })} />
          )}
          {d.phase === 'after_save' && d.trigger !== 'scheduled' && (
            <Group align="flex-end" wrap="wrap">
              <Checkbox label="Later, not at once" checked={d.delay} onChange={(e) => set({ delay: e.currentTarget.checked })} />
              {d.delay && (
                <>
                  <NumberInput label="Amount" w={110} value={d.delay_amount} onChange={(v) => set({ delay_amount: Number(v) || 0 })} error={errorAt('delay_amount')} description="Negative: before" />
                  <Select label="Unit" w={130} allowDeselect={false} data={['minutes', 'hours', 'days']} value={d.delay_unit} onChange={(v) => set({ delay_unit: v ?? 'days' })} />
                  <Select label="From" w={220} allowDeselect={false} error={errorAt('delay_from')} value={d.delay_from} onChange={(v) => set({ delay_from: v ?? 'event' })}
                    data={[{ value: 'event', label: 'The triggering change' }, ...fieldOptions(dateFields)]} />
                </>
              )}
            </Group>
          )}
        </Stack>
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="rb-do">
        <Group justify="space-between" mb="xs">
          <Title order={3} size="h5" id="rb-do">Then</Title>
          <Menu position="bottom-end">
            <Menu.Target><Button size="xs" variant="light" disabled={!object}>Add action</Button></Menu.Target>
            <Menu.Dropdown>
              {types.map((t) => <Menu.Item key={t.type} onClick={() => set({ actions: [...d.actions, { key: nextKey++, type: t.type, config: {} }] })}>{t.label}</Menu.Item>)}
            </Menu.Dropdown>
          </Menu>
        </Group>
        {errorAt('actions') && <Text size="sm" c="red" role="alert">{errorAt('actions')}</Text>}
        {d.actions.length === 0 && <Text size="sm" c="dimmed">No actions yet. Add what the rule should do: update fields, create a follow-up task, send an e-mail, notify someone…</Text>}
        <Stack gap="sm">
          {object && d.actions.map((a, i) => {
            const label = catalogue.data?.data.find((t) => t.type === a.type)?.label ?? a.type;
            const own = errors.filter((e) => e.field === `actions[${i}]` || e.field.startsWith(`actions[${i}].`));
            return (
              <Paper key={a.key} withBorder p="sm" component="fieldset" aria-label={`Action ${i + 1}: ${label}`} style={{ margin: 0 }}>
                <Group justify="space-between" mb="xs" wrap="nowrap">
                  <Text fw={600} size="sm">{i + 1}. {label}</Text>
                  <Group gap={4} wrap="nowrap">
                    <ActionIcon variant="subtle" aria-label={`Move action ${i + 1} up`} disabled={i === 0} onClick={() => moveAction(i, -1)}>↑</ActionIcon>
                    <ActionIcon variant="subtle" aria-label={`Move action ${i + 1} down`} disabled={i === d.actions.length - 1} onClick={() => moveAction(i, 1)}>↓</ActionIcon>
                    <ActionIcon variant="subtle" color="red" aria-label={`Remove action ${i + 1}`} onClick={() => set({ actions: d.actions.filter((x) => x.key !== a.key) })}>✕</ActionIcon>
                  </Group>
                </Group>
                <ActionEditor type={a.type} config={a.config} object={object} onChange={(c) => updateAction(a.key, c)} />
                {own.length > 0 && <div role="alert"><List size="sm" c="red" mt="xs">{own.map((e) => <List.Item key={e.field + e.message}>{e.field.replace(`actions[${i}]`, '').replace(/^\./, '') || 'action'}: {e.message}</List.Item>)}</List></div>}
              </Paper>
            );
          })}
        </Stack>
      </Paper>

      {object && d.actions.length > 0 && <PreviewPanel object={object} values={toValues(d)} />}

      <TextInput label="Description" value={d.description} onChange={(e) => set({ description: e.currentTarget.value })} />
      {failure && <Alert color="red" title="The rule was not saved" role="alert">{failure}{errors.length > 0 && <List size="sm" mt={4}>{errors.map((e) => <List.Item key={e.field + e.message}>{e.field}: {e.message}</List.Item>)}</List>}</Alert>}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>Cancel</Button>
        <Button onClick={save} loading={saving}>Save rule</Button>
      </Group>
    </Stack>
  );
}

/** One action's settings, by type; an action another module adds is edited as JSON. */
function ActionEditor({ type, config, object, onChange }: { type: string; config: Record<string, unknown>; object: ObjectDef; onChange: (c: Record<string, unknown>) => void }) {
  const { objects, byName } = useMetadata();
  const set = (k: string, v: unknown) => onChange({ ...config, [k]: v === '' || v === null ? undefined : v });
  const tpl = 'Text or a template: {{ record.name }}, {{ owner.email }}';
  const lookups = object.fields.filter((f) => f.type === 'lookup' && f.lookup);
  switch (type) {
    case 'update_fields': {
      const target = typeof config.target === 'string' && config.target !== 'record' ? byName(lookups.find((f) => f.apiName === config.target)?.lookup?.object ?? '') : object;
      return (
        <Stack gap="xs">
          <Select label="Record to update" allowDeselect={false} value={str(config.target) || 'record'} onChange={(v) => onChange({ ...config, target: v === 'record' ? undefined : v, values: {} })}
            data={[{ value: 'record', label: `This ${object.label.toLowerCase()}` }, ...lookups.map((f) => ({ value: f.apiName, label: `Its ${f.label.toLowerCase()}` }))]} />
          {target && <ValueRows object={target} values={(config.values as Record<string, unknown>) ?? {}} onChange={(v) => set('values', v)} hint={tpl} />}
        </Stack>
      );
    }
    case 'create_record': {
      const target = typeof config.object === 'string' ? byName(config.object) : undefined;
      return (
        <Stack gap="xs">
          <Select label="Object to create" searchable value={(config.object as string) ?? null} onChange={(v) => onChange({ ...config, object: v ?? undefined, values: {} })}
            data={objects.filter((o) => o.apiName !== 'automation_rule').map((o) => ({ value: o.apiName, label: o.label }))} />
          {target && <ValueRows object={target} values={(config.values as Record<string, unknown>) ?? {}} onChange={(v) => set('values', v)} hint={tpl} />}
        </Stack>
      );
    }
    case 'send_email':
    case 'notify':
      return (
        <Stack gap="xs">
          <TagsInput label="To" data={RECIPIENTS} value={Array.isArray(config.to) ? (config.to as string[]) : config.to ? [String(config.to)] : []} onChange={(v) => set('to', v.length ? v : undefined)}
            description="owner, manager, rule_owner, role:<role>, user:<id>, field:<user or e-mail field>; for e-mail also addresses" />
          <TextInput label={type === 'notify' ? 'Title' : 'Subject'} value={str(config[type === 'notify' ? 'title' : 'subject'])} onChange={(e) => set(type === 'notify' ? 'title' : 'subject', e.currentTarget.value)} description={tpl} />
          <Textarea label="Body" autosize minRows={3} value={str(config.body)} onChange={(e) => set('body', e.currentTarget.value)} />
        </Stack>
      );
    case 'send_sms':
      return (
        <Stack gap="xs">
          <Select label="Phone field" data={fieldOptions(object.fields.filter((f) => f.type === 'phone'))} value={(config.field as string) ?? null} onChange={(v) => set('field', v)} />
          <Textarea label="Text" autosize minRows={2} value={str(config.text)} onChange={(e) => set('text', e.currentTarget.value)} description={tpl} />
        </Stack>
      );
    case 'assign_owner': {
      const mode = config.rules ? 'rules' : config.group !== undefined ? 'group' : 'user';
      const userField = { apiName: 'user', label: 'User', type: 'user' } as FieldDef;
      return (
        <Stack gap="xs">
          <Select label="Assign to" allowDeselect={false} value={mode} onChange={(v) => onChange(v === 'rules' ? { rules: true } : v === 'group' ? { group: '' } : {})}
            data={[{ value: 'user', label: 'A user' }, { value: 'group', label: 'Round robin in a group' }, ...(object.apiName === 'lead' ? [{ value: 'rules', label: 'The lead assignment rules' }] : [])]} />
          {mode === 'user' && <LookupSelect field={userField} label="User" value={(config.user as string) ?? null} onChange={(v) => set('user', v)} allowCreate={false} />}
          {mode === 'group' && <TextInput label="Group name" value={str(config.group)} onChange={(e) => onChange({ group: e.currentTarget.value })} />}
        </Stack>
      );
    }
    case 'webhook':
      return (
        <Stack gap="xs">
          <TextInput label="Name" value={str(config.name)} onChange={(e) => set('name', e.currentTarget.value)} description="Sent as the event automation_rule.webhook to every subscription of that event" />
          <Select label="Fields (optional)" searchable clearable data={fieldOptions(object.fields)} value={null} placeholder="Add a field to the payload"
            onChange={(v) => v && set('fields', [...new Set([...((config.fields as string[]) ?? []), v])])} />
          {Array.isArray(config.fields) && <Group gap={4}>{(config.fields as string[]).map((f) => <Badge key={f} variant="light">{f}</Badge>)}</Group>}
        </Stack>
      );
    default:
      return <JsonSettings config={config} onChange={onChange} />;
  }
}

function JsonSettings({ config, onChange }: { config: Record<string, unknown>; onChange: (c: Record<string, unknown>) => void }) {
  const [text, setText] = useState(() => JSON.stringify(config, null, 2));
  const [error, setError] = useState<string | null>(null);
  return (
    <Textarea label="Settings (JSON)" autosize minRows={3} value={text} error={error} onChange={(e) => {
      const t = e.currentTarget.value;
      setText(t);
      try {
        onChange(JSON.parse(t || '{}'));
        setError(null);
      } catch {
        setError('Not valid JSON yet');
      }
    }} />
  );
}

/** Field → value rows for update and create actions: a field picker per row and a value or template. */
function ValueRows({ object, values, onChange, hint }: { object: ObjectDef; values: Record<string, unknown>; onChange: (v: Record<string, unknown>) => void; hint: string }) {
  const fields = writable(object);
  const entries = Object.entries(values);
  const unused = fields.filter((f) => !(f.apiName in values));
  return (
    <Stack gap={6}>
      {entries.map(([name, value]) => {
        const f = object.fields.find((x) => x.apiName === name);
        return (
          <Group key={name} gap="xs" align="flex-end" wrap="nowrap">
            <TextInput label={f?.label ?? name} style={{ flex: 1 }} value={typeof value === 'string' ? value : JSON.stringify(value)} placeholder={hint}
              onChange={(e) => onChange({ ...values, [name]: e.currentTarget.value })} />
            <ActionIcon variant="subtle" color="red" mb={4} aria-label={`Remove ${f?.label ?? name}`} onClick={() => onChange(Object.fromEntries(entries.filter(([k]) => k !== name)))}>✕</ActionIcon>
          </Group>
        );
      })}
      <Select aria-label={`Add a field of ${object.label}`} placeholder="Add a field…" searchable data={fieldOptions(unused)} value={null}
        onChange={(v) => v && onChange({ ...values, [v]: '' })} />
    </Stack>
  );
}

/** "Preview on a record": the rule as edited, on one real record — nothing saved or sent. */
function PreviewPanel({ object, values }: { object: ObjectDef; values: Record<string, unknown> }) {
  const [recordId, setRecordId] = useState<string | null>(null);
  const [result, setResult] = useState<RulePreview | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = { apiName: 'preview_record', label: `Preview on a record (${object.label})`, type: 'lookup', lookup: { object: object.apiName } } as unknown as FieldDef;
  const run = async () => {
    if (!recordId) return;
    setBusy(true);
    setFailure(null);
    try {
      setResult(await automationApi.preview({ rule: values, record: recordId }));
    } catch (error) {
      setResult(null);
      setFailure(error instanceof ApiError && error.fieldErrors().length ? error.fieldErrors().map((e) => `${e.field}: ${e.message}`).join('; ') : errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby="rb-preview">
      <Title order={3} size="h5" id="rb-preview" mb="xs">Preview</Title>
      <Group align="flex-end" wrap="wrap">
        <div style={{ flex: 1, minWidth: 220 }}><LookupSelect field={field} label={field.label} value={recordId} onChange={setRecordId} allowCreate={false} /></div>
        <Button variant="light" onClick={run} loading={busy} disabled={!recordId}>Preview</Button>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>Renders the templates with this record's values and says what each action would do. Nothing is saved or sent.</Text>
      {failure && <Alert color="red" mt="xs" role="alert" title="The rule cannot be previewed yet">{failure}</Alert>}
      {result && (
        <Stack gap={6} mt="sm" aria-live="polite">
          <Text size="sm">On <b>{result.record.name}</b>: {result.conditionMet ? <Badge color="green">condition met</Badge> : <Badge color="gray">condition not met — the rule would not run</Badge>}</Text>
          {result.actions.map((a, i) => (
            <div key={i}>
              <Text size="sm" fw={600}>{i + 1}. {a.description ?? a.type}</Text>
              {a.error && <Text size="sm" c="red">{a.error}</Text>}
              {a.texts.map((t) => <Text key={t.path} size="sm" c={t.error ? 'red' : undefined} style={{ whiteSpace: 'pre-wrap' }}>{t.path.replace(/^actions\[\d+\]\.?/, '')}: {t.text ?? t.error}</Text>)}
            </div>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
