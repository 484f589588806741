import { useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { agendaKey } from '../../api/agenda';
import { ApiError, errorMessage } from '../../api/client';
import { fieldOf, useMetadata } from '../../api/metadata';
import { createRecord } from '../../api/records';
import { FieldInput } from '../../components/FieldInput';
import { useCalendarSettings } from './settings';

/** The quick form's fields; everything else is on the meeting's own page. */
const FIELDS = ['subject', 'start_at', 'end_at', 'location'] as const;
type Values = Record<(typeof FIELDS)[number], string | null>;

/**
 * "New meeting" from a calendar slot or the home page: subject, start, end and location, the
 * start prefilled. The meeting gets the user's time zone, so a series made from it later repeats
 * on the user's wall clock. Created through POST /meeting like any record.
 */
export function NewMeetingModal({ start, onClose }: { start: { startAt: string; endAt: string } | null; onClose: () => void }) {
  return (
    <Modal opened={start !== null} onClose={onClose} title="New meeting">
      {start && <MeetingForm key={start.startAt} startAt={start.startAt} endAt={start.endAt} onClose={onClose} />}
    </Modal>
  );
}

function MeetingForm({ startAt, endAt, onClose }: { startAt: string; endAt: string; onClose: () => void }) {
  const { byName } = useMetadata();
  const { timeZone } = useCalendarSettings();
  const qc = useQueryClient();
  const meeting = byName('meeting');
  const [values, setValues] = useState<Values>({ subject: '', start_at: startAt, end_at: endAt, location: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useRef(crypto.randomUUID());

  if (!meeting) return <Alert color="red">Meetings are not available to you.</Alert>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const body: Record<string, unknown> = { time_zone: timeZone };
      for (const f of FIELDS) if (values[f]) body[f] = values[f];
      await createRecord('meeting', body, { idempotencyKey: idempotencyKey.current });
      await qc.invalidateQueries({ queryKey: agendaKey });
      void qc.invalidateQueries({ queryKey: ['records', 'meeting'] });
      notifications.show({ color: 'green', message: `Meeting “${values.subject}” created` });
      onClose();
    } catch (error) {
      const fe: Record<string, string> = {};
      if (error instanceof ApiError) for (const x of error.fieldErrors()) if ((FIELDS as readonly string[]).includes(x.field)) fe[x.field] = x.message;
      if (Object.keys(fe).length) setErrors(fe);
      else setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)}>
      <Stack gap="sm">
        {formError && <Alert color="red" role="alert">{formError}</Alert>}
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
          <Button type="submit" loading={busy}>Create meeting</Button>
        </Group>
      </Stack>
    </form>
  );
}
