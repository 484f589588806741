import { useState } from 'react';
import { Checkbox, Select, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { fieldOf, useMetadata } from '../../api/metadata';
import { activitiesApi } from '../../api/activities';
import type { FieldDef } from '../../api/types';
import { CALENDAR_LABELS, FieldInput } from '../../components/FieldInput';
import { QuickModal } from './QuickModal';
import { compact } from './values';
import { localeSettings } from '../../lib/format';
import { addDays } from '../calendar/dates';
import { todayInZone } from './time';
import { useRecordContacts } from './useRecordContacts';
import { useQuickSubmit, type QuickActionProps } from './useQuickSubmit';

const FIELDS = ['subject', 'outcome', 'description', 'start_at'];
const LABELS: Record<string, string> = { description: 'Notes', start_at: 'When' };

/**
 * "Log a call": a call that happened (status held), dated now unless changed, with whom it was
 * (the record's contacts) and, in the same step, an optional follow-up task. Times are the
 * user's zone's (the inputs show and read them there; the call keeps that zone), and the
 * follow-up's default date is three days after today in that zone, not the browser's.
 */
export function LogCallModal(props: QuickActionProps) {
  const { byName } = useMetadata();
  const call = byName('call');
  const { busy, errors, formError, submit } = useQuickSubmit(props);
  const [values, setValues] = useState<Record<string, unknown>>(() => ({ subject: `Call with ${props.recordName}`, outcome: 'reached', start_at: new Date().toISOString() }));
  const [contact, setContact] = useState<string | null>(props.object === 'contact' ? props.id : null);
  const [followUp, setFollowUp] = useState<{ wanted: boolean; description: string; dueDate: string | null }>({ wanted: false, description: '', dueDate: addDays(todayInZone(), 3) });
  // On a contact page the call was with that contact: no question asked.
  const asks = props.object === 'account' || props.object === 'opportunity';
  const contacts = useRecordContacts(asks ? props.object : null, props.id);
  const fields = FIELDS.map((n) => (call ? fieldOf(call, n) : undefined)).filter((f): f is FieldDef => !!f).map((f) => ({ ...f, label: LABELS[f.apiName] ?? f.label }));

  const save = () =>
    submit(
      [...FIELDS, 'contact', 'followUp'],
      async (key) => {
        const logged = await activitiesApi.log(props.object, props.id, 'call', { ...compact(values), status: 'held', time_zone: localeSettings().timeZone, ...(contact && props.object !== 'contact' ? { contact } : {}) }, key);
        // The follow-up has its own key: a retry after it failed logs the call once and adds the task.
        if (followUp.wanted) await activitiesApi.followUp(props.object, props.id, { description: followUp.description || `Follow up: ${String(values.subject ?? 'call')}`, dueDate: followUp.dueDate }, `${key}:follow-up`);
        return logged;
      },
      followUp.wanted ? 'Call logged, follow-up added' : 'Call logged',
    );
  return (
    <QuickModal title="Log a call" opened={props.opened} onClose={props.onClose} busy={busy} formError={formError} submitLabel="Log call" onSubmit={() => void save()}>
      {fields.map((f) => (
        <FieldInput key={f.apiName} field={f} value={values[f.apiName]} error={errors[f.apiName]} onChange={(v) => setValues((s) => ({ ...s, [f.apiName]: v }))} />
      ))}
      {asks && (
        <Select
          label="Who did you speak to?"
          data={contacts.data ?? []}
          value={contact}
          onChange={setContact}
          clearable
          searchable
          placeholder={contacts.data?.length === 0 ? 'No contacts on this account' : 'Choose a contact'}
          error={errors.contact}
          comboboxProps={{ withinPortal: true }}
        />
      )}
      <Checkbox label="Add a follow-up task" checked={followUp.wanted} onChange={(e) => { const wanted = e.currentTarget.checked; setFollowUp((f) => ({ ...f, wanted })); }} />
      {followUp.wanted && (
        <>
          <Textarea label="What to follow up on" autosize minRows={2} maxRows={6} value={followUp.description} placeholder={`Follow up: ${String(values.subject ?? '')}`} onChange={(e) => { const description = e.currentTarget.value; setFollowUp((f) => ({ ...f, description })); }} />
          <DateInput label="Follow-up date" value={followUp.dueDate} onChange={(v) => setFollowUp((f) => ({ ...f, dueDate: v ? String(v).slice(0, 10) : null }))} valueFormat="YYYY-MM-DD" placeholder="YYYY-MM-DD" clearable popoverProps={{ withinPortal: true }} ariaLabels={CALENDAR_LABELS} />
        </>
      )}
    </QuickModal>
  );
}
