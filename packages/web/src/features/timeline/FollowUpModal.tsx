import { useState } from 'react';
import { Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { fieldOf, useMetadata } from '../../api/metadata';
import { activitiesApi } from '../../api/activities';
import { CALENDAR_LABELS } from '../../components/FieldInput';
import { LookupSelect } from '../../components/LookupSelect';
import { useMe } from '../../lib/useMe';
import { QuickModal } from './QuickModal';
import { useQuickSubmit, type QuickActionProps } from './useQuickSubmit';

/** "Follow-up" (seed 004): a task for me or a colleague about this record, through /follow-ups. */
export function FollowUpModal(props: QuickActionProps) {
  const { byName } = useMetadata();
  const me = useMe().data;
  const ownerField = byName('task') ? fieldOf(byName('task')!, 'owner') : undefined;
  const { busy, errors, formError, submit } = useQuickSubmit(props);
  const [description, setDescription] = useState('');
  const [dueDate, setDueDate] = useState<string | null>(null);
  const [assignee, setAssignee] = useState<string | null>(me?.id ?? null);
  const display = me ? { user: { [me.id]: me.full_name || me.email } } : undefined;

  const save = () =>
    submit(['description', 'dueDate', 'assignee'], (key) => activitiesApi.followUp(props.object, props.id, { description, dueDate, ...(assignee ? { assignee } : {}) }, key), 'Follow-up added');
  return (
    <QuickModal title="Follow-up" opened={props.opened} onClose={props.onClose} busy={busy} formError={formError} submitLabel="Add follow-up" onSubmit={() => void save()}>
      <Textarea label="What to follow up on" required autosize minRows={2} maxRows={8} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={errors.description} data-autofocus />
      <DateInput
        label="Date"
        value={dueDate}
        onChange={(v) => setDueDate(v ? String(v).slice(0, 10) : null)}
        valueFormat="YYYY-MM-DD"
        placeholder="YYYY-MM-DD"
        clearable
        error={errors.dueDate}
        popoverProps={{ withinPortal: true }}
        ariaLabels={CALENDAR_LABELS}
      />
      {ownerField && <LookupSelect field={ownerField} label="Assignee" value={assignee} onChange={setAssignee} display={display} error={errors.assignee} />}
    </QuickModal>
  );
}
