import { useState } from 'react';
import { Button, Group, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { ApiError } from '../../api/client';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';
import { bookingApi, type Slot } from '../../api/booking';
import { formatSlot } from './days';

const FIELDS = ['name', 'email', 'note'] as const;

/** Name, e-mail and an optional note for the chosen slot; a taken slot goes back to the picker. */
export function BookingForm(props: { slug: string; slot: Slot; locale: string; timeZone: string; onBack: () => void; onTaken: () => void; onBooked: (slot: Slot, email: string) => void }) {
  const [values, setValues] = useState({ name: '', email: '', note: '' });
  const set = (field: (typeof FIELDS)[number]) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setValues({ ...values, [field]: e.currentTarget.value });

  const form = useApiForm({
    fields: FIELDS,
    submit: () => bookingApi.book(props.slug, { start: props.slot.start, name: values.name, email: values.email, ...(values.note.trim() ? { note: values.note } : {}) }),
    onSuccess: (booked) => props.onBooked(booked, values.email),
    onError: (err) => {
      if (!(err instanceof ApiError && err.code === 'slot_taken')) return false;
      props.onTaken();
      return true;
    },
  });
  const errors = form.errors;

  return (
    <form ref={form.formRef} onSubmit={form.onSubmit} noValidate>
      <Stack gap="sm">
        <Text fw={600}>{formatSlot(props.slot, props.locale, props.timeZone)}</Text>
        <FormSummary summary={form.summary} errors={errors} />
        <TextInput label="Your name" autoComplete="name" required maxLength={120} value={values.name} onChange={set('name')} error={errors.name} autoFocus />
        <TextInput label="E-mail" type="email" autoComplete="email" required maxLength={254} value={values.email} onChange={set('email')} error={errors.email} />
        <Textarea label="Anything to prepare? (optional)" autosize minRows={3} maxLength={2000} value={values.note} onChange={set('note')} error={errors.note} />
        <Group justify="space-between">
          <Button variant="default" onClick={props.onBack}>Back</Button>
          <Button type="submit" loading={form.pending}>Book this time</Button>
        </Group>
      </Stack>
    </form>
  );
}
