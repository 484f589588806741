import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Checkbox, Group, Loader, Modal, NumberInput, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { useApiForm } from '../../lib/useApiForm';
import { FormSummary } from '../../components/FormSummary';
import { salesApi, type ConvertMatch, type ConvertResult } from '../../api/sales';
import type { RecordData } from '../../api/types';

const NEW = '__new__';

/**
 * Lead conversion: the preview suggests accounts and contacts to reuse; the user picks one or
 * "create new", optionally with an opportunity, then POST /lead/{id}/convert.
 */
export function ConvertLeadDialog({ lead, opened, onClose, onConverted }: { lead: RecordData; opened: boolean; onClose: () => void; onConverted: (r: ConvertResult) => void }) {
  const preview = useQuery({ queryKey: ['convert-preview', lead.id], queryFn: () => salesApi.convertPreview(lead.id), enabled: opened, staleTime: 0 });
  const [account, setAccount] = useState<string>(NEW);
  const [contact, setContact] = useState<string>(NEW);
  const [withOpp, setWithOpp] = useState(true);
  const [oppName, setOppName] = useState('');
  const [closeDate, setCloseDate] = useState('');
  const [amount, setAmount] = useState<number | string>('');
  const [duplicate, setDuplicate] = useState(false);
  // "Convert anyway" after a duplicate warning: read by the submit it starts.
  const anyway = useRef(false);
  const key = useRef(crypto.randomUUID());
  // Opportunity fields are named opportunity.close_date…; the account and contact choices by their ids.
  const FIELD: Record<string, string> = { 'opportunity.name': 'oppName', 'opportunity.close_date': 'closeDate', 'opportunity.amount': 'amount' };
  const form = useApiForm({
    fields: ['oppName', 'closeDate', 'amount'],
    fieldOf: (path) => FIELD[path] ?? path,
    submit: () => {
      const opportunity: { name?: string; close_date?: string; amount?: number } = {};
      if (oppName.trim()) opportunity.name = oppName.trim();
      if (closeDate) opportunity.close_date = closeDate;
      if (amount !== '') opportunity.amount = Number(amount);
      return salesApi.convert(lead.id, {
        accountId: account === NEW ? null : account,
        contactId: contact === NEW ? null : contact,
        createOpportunity: withOpp,
        ...(withOpp ? { opportunity } : {}),
        ...(anyway.current ? { allowDuplicate: true } : {}),
      }, anyway.current ? crypto.randomUUID() : key.current);
    },
    onSuccess: onConverted,
    onError: (err) => {
      // A refused conversion wrote nothing: the next try is a new request.
      key.current = crypto.randomUUID();
      setDuplicate(err instanceof ApiError && err.code === 'duplicate');
      return false;
    },
  });

  useEffect(() => {
    const p = preview.data;
    if (!p) return;
    setAccount(p.accounts.find((a) => a.reuse)?.id ?? NEW);
    setContact(p.contacts.find((c) => c.reuse)?.id ?? NEW);
    setOppName(p.newOpportunity.name ?? '');
    setCloseDate(p.newOpportunity.close_date ?? '');
    setAmount(p.newOpportunity.amount ?? '');
  }, [preview.data]);

  const submit = (e: React.FormEvent | React.MouseEvent, allowDuplicate = false) => {
    e.preventDefault();
    anyway.current = allowDuplicate;
    setDuplicate(false);
    form.onSubmit();
  };

  const choices = (name: string, label: string, items: ConvertMatch[], value: string, set: (v: string) => void, newLabel: string) => (
    <Radio.Group name={name} label={label} value={value} onChange={set}>
      <Stack gap={6} mt={6}>
        {items.map((m) => (
          <Radio key={m.id} value={m.id} label={`Use ${m.name}`} description={`Matches by ${m.rule.replace(/_/g, ' ')}${m.email ? ` · ${m.email}` : ''}${m.website ? ` · ${m.website}` : ''}`} />
        ))}
        <Radio value={NEW} label={newLabel} />
      </Stack>
    </Radio.Group>
  );

  const p = preview.data;
  return (
    <Modal opened={opened} onClose={onClose} title={`Convert ${String(lead.full_name ?? lead.last_name ?? 'lead')}`} centered size="lg">
      {preview.isLoading && <Loader aria-label="Loading conversion preview" />}
      {preview.error && <Alert color="red" role="alert">{errorMessage(preview.error)}</Alert>}
      {p && (
        <form ref={form.formRef} onSubmit={submit} noValidate>
          <Stack>
            {duplicate ? (
              <Alert color="yellow" title="Possible duplicate" role="alert">
                {form.summary}
                <Group mt="xs"><Button size="xs" variant="default" onClick={(e) => submit(e, true)}>Convert anyway</Button></Group>
              </Alert>
            ) : (
              <FormSummary summary={form.summary} errors={form.errors} />
            )}
            <section aria-label="Account">
              {choices('convert-account', 'Account', p.accounts, account, setAccount, `Create new account ${String(p.newAccount.name ?? '')}`.trim())}
            </section>
            <section aria-label="Contact">
              {choices('convert-contact', 'Contact', p.contacts, contact, setContact, `Create new contact ${[p.newContact.first_name, p.newContact.last_name].filter(Boolean).join(' ')}`.trim())}
            </section>
            <section aria-label="Opportunity">
              <Title order={3} size="h6" mb={4}>Opportunity</Title>
              <Checkbox label="Create an opportunity" checked={withOpp} onChange={(e) => setWithOpp(e.currentTarget.checked)} />
              {withOpp && (
                <Group grow mt="xs" align="flex-start">
                  <TextInput label="Opportunity name" value={oppName} onChange={(e) => setOppName(e.currentTarget.value)} error={form.errors.oppName} />
                  <TextInput label="Close date" type="date" value={closeDate} onChange={(e) => setCloseDate(e.currentTarget.value)} error={form.errors.closeDate} />
                  <NumberInput label="Amount" value={amount} onChange={setAmount} min={0} error={form.errors.amount} />
                </Group>
              )}
            </section>
            <Text size="xs" c="dimmed">The lead's tasks and notes move to the new records. A converted lead becomes read-only.</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose} disabled={form.pending}>Cancel</Button>
              <Button type="submit" loading={form.pending}>Convert</Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
