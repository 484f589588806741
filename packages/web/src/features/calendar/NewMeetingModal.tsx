import { useRef, useState } from 'react';
import { Alert, Button, Group, Stack } from '@mantine/core';
import { FormModal, useReportDirty } from '../../components/FormModal';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { agendaKey } from '../../api/agenda';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';
import { fieldOf, useMetadata } from '../../api/metadata';
import { createRecord } from '../../api/records';
import { FieldInput } from '../../components/FieldInput';
import { useCalendarSettings } from './settings';

/** The quick form's fields — what, when, where and what it is about; the rest is on the meeting's page. */
const FIELDS = ['subject', 'start_at', 'end_at', 'location', 'account', 'contact', 'opportunity'] as const;
type Values = Record<(typeof FIELDS)[number], string | null>;

/**
 * "New meeting" from a calendar slot or the home page: subject, start, end and location, the
 * start prefilled. The meeting gets the user's time zone, so a series made from it later repeats
 * on the user's wall clock. Created through POST /meeting like any record.
 */
export function NewMeetingModal({ start, onClose }: { start: { startAt: string; endAt: string } | null; onClose: () => void }) {
  return (
    <FormModal opened={start !== null} onClose={onClose} title="New meeting">
      {start && <MeetingForm key={start.startAt} startAt={start.startAt} endAt={start.endAt} onClose={onClose} />}
    </FormModal>
  );
}

function MeetingForm({ startAt, endAt, onClose }: { startAt: string; endAt: string; onClose: () => void }) {
  const { byName } = useMetadata();
  const { timeZone } = useCalendarSettings();
  const qc = useQueryClient();
  const meeting = byName('meeting');
  const [values, setValues] = useState<Values>({ subject: '', start_at: startAt, end_at: endAt, location: '', account: null, contact: null, opportunity: null });
  const idempotencyKey = useRef(crypto.randomUUID());
  useReportDirty(!!(values.subject || values.location || values.account || values.contact || values.opportunity) || values.start_at !== startAt || values.end_at !== endAt);
  const form = useApiForm({
    fields: FIELDS,
    submit: async () => {
      const body: Record<string, unknown> = { time_zone: timeZone };
      for (const f of FIELDS) if (values[f]) body[f] = values[f];
      return createRecord('meeting', body, { idempotencyKey: idempotencyKey.current });
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: agendaKey });
      void qc.invalidateQueries({ queryKey: ['records', 'meeting'] });
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
        {FIELDS.map((name, i) => {
          const field = fieldOf(meeting, name);
          if (!field) return null;
          return (
            <FieldInput
              key={name}
              field={name === 'subject' ? { ...field, required: true } : field}
              value={values[name]}
              autoFocus={i === 0}
              error={errors[name]}
              onChange={(v) => setValues((s) => ({ ...s, [name]: typeof v === 'string' ? v : null }))}
            />
          );
        })}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={form.pending}>Create meeting</Button>
        </Group>
      </Stack>
    </form>
  );
}
