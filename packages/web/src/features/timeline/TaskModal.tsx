import { useState } from 'react';
import { Select } from '@mantine/core';
import { fieldOf, useMetadata } from '../../api/metadata';
import { activitiesApi } from '../../api/activities';
import type { FieldDef } from '../../api/types';
import { FieldInput } from '../../components/FieldInput';
import { useMe } from '../../lib/useMe';
import { QuickModal } from './QuickModal';
import { compact } from './values';
import { useQuickSubmit, type QuickActionProps } from './useQuickSubmit';

const FIELDS = ['subject', 'due_date', 'priority', 'owner'];
const LABELS: Record<string, string> = { owner: 'Assignee' };

/** Task reminders count minutes before the start of the due day (docs/activities.md, ACT-3). */
const REMINDERS = [
  { value: '', label: 'No reminder' },
  { value: '0', label: 'When the due day starts' },
  { value: '60', label: '1 hour before the due day' },
  { value: '1440', label: '1 day before' },
  { value: '10080', label: '1 week before' },
];

/** "New task": subject, due date, priority, assignee (me unless changed) and a reminder. */
export function TaskModal(props: QuickActionProps) {
  const { byName } = useMetadata();
  const me = useMe().data;
  const task = byName('task');
  const { busy, errors, formError, submit } = useQuickSubmit(props);
  const [values, setValues] = useState<Record<string, unknown>>(() => ({ priority: 'normal', owner: me?.id ?? null }));
  const [reminder, setReminder] = useState<string>('');
  const fields = FIELDS.map((n) => (task ? fieldOf(task, n) : undefined)).filter((f): f is FieldDef => !!f).map((f) => ({ ...f, label: LABELS[f.apiName] ?? f.label }));
  const display = me ? { user: { [me.id]: me.full_name || me.email } } : undefined;

  const save = () => {
    const v = { ...compact(values), ...(reminder ? { reminder_minutes: Number(reminder) } : {}) };
    return submit([...FIELDS, 'reminder_minutes'], (key) => activitiesApi.log(props.object, props.id, 'task', v, key), 'Task added');
  };
  return (
    <QuickModal title="New task" opened={props.opened} onClose={props.onClose} busy={busy} formError={formError} submitLabel="Add task" onSubmit={() => void save()}>
      {fields.map((f) => (
        <FieldInput key={f.apiName} field={f} value={values[f.apiName]} error={errors[f.apiName]} display={display} onChange={(v) => setValues((s) => ({ ...s, [f.apiName]: v }))} />
      ))}
      <Select label="Reminder" data={REMINDERS} value={reminder} onChange={(v) => setReminder(v ?? '')} error={errors.reminder_minutes} allowDeselect={false} comboboxProps={{ withinPortal: true }} />
    </QuickModal>
  );
}
