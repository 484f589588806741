import { useState } from 'react';
import { Checkbox, Select, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useQuery } from '@tanstack/react-query';
import { fieldOf, useMetadata } from '../../api/metadata';
import { activitiesApi } from '../../api/activities';
import { getRecord, queryRecords } from '../../api/records';
import type { FieldDef } from '../../api/types';
import { CALENDAR_LABELS, FieldInput } from '../../components/FieldInput';
import { QuickModal } from './QuickModal';
import { compact } from './values';
import { useQuickSubmit, type QuickActionProps } from './useQuickSubmit';

const FIELDS = ['subject', 'outcome', 'description', 'start_at'];
const LABELS: Record<string, string> = { description: 'Notes', start_at: 'When' };

/** A date `days` from today in the browser's calendar (the follow-up's default due date). */
function inDays(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The contacts a call on this record may have been with: an account's contacts, those of an
 * opportunity's account; on a contact, the contact itself (no question asked).
 */
function useCallContacts(object: string, id: string) {
  return useQuery({
    queryKey: ['call-contacts', object, id],
    enabled: object === 'account' || object === 'opportunity',
    queryFn: async ({ signal }) => {
      const account = object === 'account' ? id : ((await getRecord('opportunity', id)).account as string | null);
      if (!account) return [];
      const r = await queryRecords('contact', { filter: { field: 'account', op: 'eq', value: account }, fields: ['id', 'full_name'], sort: 'full_name', limit: 100, display: false }, signal);
      return r.data.map((c) => ({ value: c.id, label: String(c.full_name ?? c.id) }));
    },
    staleTime: 30_000,
  });
}

/**
 * "Log a call": a call that happened (status held), dated now unless changed, with whom it was
 * (the record's contacts) and, in the same step, an optional follow-up task.
 */
export function LogCallModal(props: QuickActionProps) {
  const { byName } = useMetadata();
  const call = byName('call');
  const { busy, errors, formError, submit } = useQuickSubmit(props);
  const [values, setValues] = useState<Record<string, unknown>>(() => ({ subject: `Call with ${props.recordName}`, outcome: 'reached', start_at: new Date().toISOString() }));
  const [contact, setContact] = useState<string | null>(props.object === 'contact' ? props.id : null);
  const [followUp, setFollowUp] = useState<{ wanted: boolean; description: string; dueDate: string | null }>({ wanted: false, description: '', dueDate: inDays(3) });
  const contacts = useCallContacts(props.object, props.id);
  const fields = FIELDS.map((n) => (call ? fieldOf(call, n) : undefined)).filter((f): f is FieldDef => !!f).map((f) => ({ ...f, label: LABELS[f.apiName] ?? f.label }));

  const save = () =>
    submit(
      [...FIELDS, 'contact', 'followUp'],
      async (key) => {
        const logged = await activitiesApi.log(props.object, props.id, 'call', { ...compact(values), status: 'held', ...(contact && props.object !== 'contact' ? { contact } : {}) }, key);
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
      {(props.object === 'account' || props.object === 'opportunity') && (
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
