import { useRef, useState } from 'react';
import { Alert, Button, Group, Stack } from '@mantine/core';
import { FormModal, useReportDirty } from '../../components/FormModal';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { agendaKey } from '../../api/agenda';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';
import { fieldOf, useMetadata } from '../../api/metadata';
import { activitiesApi, timelineKey } from '../../api/activities';
import { FieldInput } from '../../components/FieldInput';
import { localeSettings } from '../../lib/format';
import { HAS_CONTACTS, useRecordContacts } from '../timeline/useRecordContacts';
import { InviteePicker, inviteesOf, type InviteeKey } from './InviteePicker';

/** The quick form's fields — what, when, where and what it is about; the rest is on the meeting's page. */
const FIELDS = ['subject', 'start_at', 'end_at', 'location', 'account', 'contact', 'opportunity'] as const;
type Values = Record<(typeof FIELDS)[number], string | null>;

/** The record a meeting is made from (its page's quick action): related to it, its contacts offered first. */
export interface MeetingRecord {
  object: string;
  id: string;
  name: string;
}

/**
 * "New meeting" from a calendar slot, the home page or a record's quick actions: subject, start,
 * end and location, the start prefilled; whom to invite (colleagues and contacts) and what it is
 * about. Times are entered in the user's time zone (their profile's, else the browser's), and the
 * meeting keeps that zone, so a series made from it later repeats on the user's wall clock.
 * Created through POST /activities/meetings: the meeting, its invitations and links in one step.
 */
export function NewMeetingModal({ start, onClose, record }: { start: { startAt: string; endAt: string } | null; onClose: () => void; record?: MeetingRecord }) {
  return (
    <FormModal opened={start !== null} onClose={onClose} title="New meeting">
      {start && <MeetingForm key={start.startAt} startAt={start.startAt} endAt={start.endAt} onClose={onClose} record={record} />}
    </FormModal>
  );
}

function MeetingForm({ startAt, endAt, onClose, record }: { startAt: string; endAt: string; onClose: () => void; record?: MeetingRecord }) {
  const { byName } = useMetadata();
  const qc = useQueryClient();
  const meeting = byName('meeting');
  // Viewed from one of the typed lookups' records, the meeting is filed under it (the server does that from `related`).
  const fields = FIELDS.filter((f) => f !== record?.object);
  const [values, setValues] = useState<Values>({ subject: '', start_at: startAt, end_at: endAt, location: '', account: null, contact: null, opportunity: null });
  const [invitees, setInvitees] = useState<InviteeKey[]>([]);
  // Whose contacts come first: the record's, else those of the account (or deal, contact) chosen here.
  const about = record && HAS_CONTACTS.includes(record.object) ? { object: record.object, id: record.id, name: record.name } : values.account ? { object: 'account', id: values.account, name: 'the account' } : values.opportunity ? { object: 'opportunity', id: values.opportunity, name: 'the opportunity' } : null;
  const contacts = useRecordContacts(about?.object ?? null, about?.id ?? null);
  const idempotencyKey = useRef(crypto.randomUUID());
  useReportDirty(!!(values.subject || values.location || values.account || values.contact || values.opportunity || invitees.length) || values.start_at !== startAt || values.end_at !== endAt);
  const form = useApiForm({
    fields: [...fields, 'invitees'],
    fieldOf: (path) => (path.startsWith('values.') ? path.slice(7).split(/[.[]/)[0]! : path.split(/[.[]/)[0]!),
    submit: async () => {
      const body: Record<string, unknown> = { time_zone: localeSettings().timeZone };
      for (const f of fields) if (values[f]) body[f] = values[f];
      return activitiesApi.scheduleMeeting({ values: body, invitees: inviteesOf(invitees), related: record ? [{ object: record.object, id: record.id }] : [] }, idempotencyKey.current);
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: agendaKey });
      void qc.invalidateQueries({ queryKey: ['records', 'meeting'] });
      if (record) void qc.invalidateQueries({ queryKey: timelineKey(record.object, record.id) });
      notifications.show({ color: 'green', message: `Meeting “${values.subject}” created` });
      onClose();
    },
  });
  const errors = form.errors;

  if (!meeting) return <Alert color="red">Meetings are not available to you.</Alert>;

  return (
    <form ref={form.formRef} onSubmit={form.onSubmit}>
      <Stack gap="sm">
        <FormSummary summary={form.summary} errors={errors} />
        {fields.map((name, i) => {
          const field = fieldOf(meeting, name);
          if (!field) return null;
          const input = (
            <FieldInput
              key={name}
              field={name === 'subject' ? { ...field, required: true } : field}
              value={values[name]}
              autoFocus={i === 0}
              error={errors[name]}
              onChange={(v) => setValues((s) => ({ ...s, [name]: typeof v === 'string' ? v : null }))}
            />
          );
          // Whom to invite comes right after where: before what it is about.
          return name === 'location' ? [input, <InviteePicker key="invitees" value={invitees} onChange={setInvitees} error={errors.invitees} suggested={about && contacts.data?.length ? { heading: `Contacts of ${about.name}`, contacts: contacts.data } : undefined} />] : input;
        })}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={form.pending}>Create meeting</Button>
        </Group>
      </Stack>
    </form>
  );
}
