import { useEffect, useState } from 'react';
import { Alert, Button, Paper, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../api/client';
import { portalApi, type PortalProfile } from '../api/portal';
import { Pending } from './pages';

/** The contact's own details and the billing contact details of their account (saved through the record pipeline, recorded in history). */
type Form = { contact: Record<string, string>; billing: Record<string, string> };
const CONTACT: Array<[string, string, string?]> = [['firstName', 'First name', 'given-name'], ['lastName', 'Last name', 'family-name'], ['title', 'Job title', 'organization-title'], ['phone', 'Phone', 'tel'], ['mobile', 'Mobile', 'tel']];
const BILLING: Array<[string, string, string?]> = [['email', 'E-mail for invoices', 'email'], ['city', 'City', 'address-level2'], ['state', 'State or region', 'address-level1'], ['postalCode', 'Postal code', 'postal-code'], ['country', 'Country', 'country-name']];

const toForm = (p: PortalProfile): Form => ({
  contact: Object.fromEntries(CONTACT.map(([k]) => [k, (p.contact as Record<string, string | null>)[k] ?? ''])),
  billing: Object.fromEntries([...BILLING.map(([k]) => k), 'street'].map((k) => [k, (p.billing as Record<string, string | null>)[k] ?? ''])),
});

export function ProfilePage() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['portal', 'profile'], queryFn: portalApi.profile });
  const [form, setForm] = useState<Form | null>(null);
  useEffect(() => {
    if (q.data && !form) setForm(toForm(q.data));
  }, [q.data, form]);
  const save = useMutation({
    mutationFn: (f: Form) => portalApi.updateProfile({ contact: f.contact, billing: f.billing }),
    onSuccess: (p) => {
      client.setQueryData(['portal', 'profile'], p);
      setForm(toForm(p));
    },
  });
  if (!q.data || !form) return <Pending error={q.error} label="Your details" />;
  const fieldError = (part: string, key: string) => {
    if (!(save.error instanceof ApiError)) return undefined;
    const map: Record<string, string> = { firstName: 'first_name', lastName: 'last_name', postalCode: 'billing_postal_code', street: 'billing_street', city: 'billing_city', state: 'billing_state', country: 'billing_country' };
    const names = [`${part}.${key}`, `${part}.${map[key] ?? key}`];
    return save.error.fieldErrors().find((e) => names.includes(e.field))?.message;
  };
  const set = (part: 'contact' | 'billing', key: string, value: string) => setForm((f) => (f ? { ...f, [part]: { ...f[part], [key]: value } } : f));
  return (
    <form onSubmit={(e) => { e.preventDefault(); save.mutate(form); }}>
      <Stack>
        <Title order={1} size="h2">Your details</Title>
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="xs">You</Title>
          <Text size="sm" c="dimmed" mb="sm">Signed in as {q.data.contact.email}. To use another e-mail address, ask your contact person.</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {CONTACT.map(([k, label, auto]) => <TextInput key={k} label={label} autoComplete={auto} value={form.contact[k]} error={fieldError('contact', k)} onChange={(e) => set('contact', k, e.currentTarget.value)} />)}
          </SimpleGrid>
        </Paper>
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="xs">Billing contact details of {q.data.billing.accountName}</Title>
          <Stack>
            <Textarea label="Street" autoComplete="street-address" value={form.billing.street} error={fieldError('billing', 'street')} onChange={(e) => set('billing', 'street', e.currentTarget.value)} autosize minRows={2} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {BILLING.map(([k, label, auto]) => <TextInput key={k} label={label} type={k === 'email' ? 'email' : 'text'} autoComplete={auto} value={form.billing[k]} error={fieldError('billing', k)} onChange={(e) => set('billing', k, e.currentTarget.value)} />)}
            </SimpleGrid>
          </Stack>
        </Paper>
        {save.isSuccess && <Alert color="green" role="status">Saved. Thank you for keeping your details up to date.</Alert>}
        {save.error && <Alert color="red" role="alert">{errorMessage(save.error)}</Alert>}
        <Button type="submit" loading={save.isPending} w="fit-content">Save changes</Button>
      </Stack>
    </form>
  );
}
