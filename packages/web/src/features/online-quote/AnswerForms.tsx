import { useState } from 'react';
import { Button, Checkbox, Group, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';
import { onlineQuoteApi, type PublicQuote } from '../../api/onlineQuote';

/**
 * Accepting: the signer types their name and ticks the consent; both are recorded with the time,
 * address and browser. The button stays busy while the request runs, and the server accepts a
 * double click only once.
 */
export function AcceptForm(props: { token: string; quote: PublicQuote; chosen: string[]; totalText: string; onAnswered: (q: PublicQuote) => void; onDecline: () => void }) {
  const [signerName, setSignerName] = useState('');
  const [consent, setConsent] = useState(false);
  const form = useApiForm({
    fields: ['signerName', 'consent', 'optionalLines'],
    submit: () => onlineQuoteApi.accept(props.token, { signerName, consent, optionalLines: props.chosen }),
    onSuccess: props.onAnswered,
  });
  return (
    <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-labelledby="oq-accept-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="oq-accept-title">Accept this quote</Title>
        <FormSummary summary={form.summary} errors={form.errors} />
        <TextInput label="Your full name (your signature)" autoComplete="name" required maxLength={200} value={signerName} onChange={(e) => setSignerName(e.currentTarget.value)} error={form.errors.signerName} className="oq-signature" />
        <Checkbox label={props.quote.consentText} checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} error={form.errors.consent} />
        <Group justify="space-between" wrap="wrap">
          <Button variant="subtle" color="gray" onClick={props.onDecline}>Decline…</Button>
          <Button type="submit" loading={form.pending}>Accept for {props.totalText}</Button>
        </Group>
      </Stack>
    </form>
  );
}

export function DeclineForm(props: { token: string; onAnswered: (q: PublicQuote) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const form = useApiForm({ fields: ['reason'], submit: () => onlineQuoteApi.decline(props.token, reason), onSuccess: props.onAnswered });
  return (
    <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-labelledby="oq-decline-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="oq-decline-title">Decline this quote</Title>
        <Text size="sm">A word on why helps us make a better offer next time.</Text>
        <FormSummary summary={form.summary} errors={form.errors} />
        <Textarea label="Reason" required autosize minRows={3} maxLength={2000} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={form.errors.reason} autoFocus />
        <Group justify="space-between">
          <Button variant="default" onClick={props.onCancel}>Back</Button>
          <Button type="submit" color="red" loading={form.pending}>Decline the quote</Button>
        </Group>
      </Stack>
    </form>
  );
}
