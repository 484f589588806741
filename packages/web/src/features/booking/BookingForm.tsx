import { useState } from 'react';
import { Alert, Button, Group, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { ApiError, errorMessage } from '../../api/client';
import { bookingApi, type Slot } from '../../api/booking';
import { formatSlot } from './days';

const FIELDS = ['name', 'email', 'note'] as const;

/** Name, e-mail and an optional note for the chosen slot; a taken slot goes back to the picker. */
export function BookingForm(props: { slug: string; slot: Slot; locale: string; timeZone: string; onBack: () => void; onTaken: () => void; onBooked: (slot: Slot, email: string) => void }) {
  const [values, setValues] = useState({ name: '', email: '', note: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (field: (typeof FIELDS)[number]) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setValues({ ...values, [field]: e.currentTarget.value });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      const booked = await bookingApi.book(props.slug, { start: props.slot.start, name: values.name, email: values.email, ...(values.note.trim() ? { note: values.note } : {}) });
      props.onBooked(booked, values.email);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'slot_taken') return props.onTaken();
      const byField: Record<string, string> = {};
      if (err instanceof ApiError) for (const f of err.fieldErrors()) if ((FIELDS as readonly string[]).includes(f.field)) byField[f.field] = f.message;
      setErrors(byField);
      if (!Object.keys(byField).length) setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text fw={600}>{formatSlot(props.slot, props.locale, props.timeZone)}</Text>
        {error && <Alert color="red" role="alert">{error}</Alert>}
        <TextInput label="Your name" autoComplete="name" required maxLength={120} value={values.name} onChange={set('name')} error={errors.name} autoFocus />
        <TextInput label="E-mail" type="email" autoComplete="email" required maxLength={254} value={values.email} onChange={set('email')} error={errors.email} />
        <Textarea label="Anything to prepare? (optional)" autosize minRows={3} maxLength={2000} value={values.note} onChange={set('note')} error={errors.note} />
        <Group justify="space-between">
          <Button variant="default" onClick={props.onBack}>Back</Button>
          <Button type="submit" loading={busy}>Book this time</Button>
        </Group>
      </Stack>
    </form>
  );
}
