import { useEffect, useState } from 'react';
import { Alert, Badge, Box, Button, Checkbox, Group, Loader, NumberInput, Paper, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { queryRecords, updateRecord } from '../../api/records';
import { FormSummary } from '../../components/FormSummary';
import type { RecordSlotProps } from '../../lib/extensions';
import { useApiForm } from '../../lib/useApiForm';
import { dunningApi, type RenderedTemplate } from './api';

interface Draft {
  subject: string;
  body: string;
  days_overdue: number | '';
  fee: number | '';
  creates_task: boolean;
}

const draftOf = (r: Record<string, unknown>): Draft => ({
  subject: typeof r.subject === 'string' ? r.subject : '',
  body: typeof r.body === 'string' ? r.body : '',
  days_overdue: typeof r.days_overdue === 'number' ? r.days_overdue : '',
  fee: typeof r.fee === 'number' ? r.fee : '',
  creates_task: r.creates_task === true,
});

const same = (a: Draft, b: Draft) => a.subject === b.subject && a.body === b.body && a.days_overdue === b.days_overdue && a.fee === b.fee && a.creates_task === b.creates_task;

/** The value after `ms` without changes: the preview follows typing, not every key. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/**
 * A reminder level's template editor (issue 13 item 9): subject and body (Liquid), days overdue,
 * fee and "creates a task", with a live preview rendered by the server against a sample account
 * with two overdue invoices — the same renderer the run uses, so what shows is what is sent. A
 * template error comes back naming `subject` or `body` and is shown at that field; a level that
 * does not render cannot be saved.
 */
export function LevelTemplateEditor({ record, id, onSaved }: RecordSlotProps) {
  const saved = draftOf(record);
  const [draft, setDraft] = useState<Draft>(saved);
  const dirty = !same(draft, saved);
  // Saved elsewhere (inline edit, another tab): follow the record unless the user is mid-edit.
  const version = record.version as number | undefined;
  useEffect(() => {
    if (!dirty) setDraft(draftOf(record));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the record changes
  }, [version]);

  const schedule = typeof record.schedule === 'string' ? record.schedule : null;
  const levels = useQuery({
    queryKey: ['records', 'dunning_level', 'of-schedule', schedule],
    enabled: !!schedule,
    queryFn: ({ signal }) => queryRecords('dunning_level', { filter: { field: 'schedule', op: 'eq', value: schedule }, fields: ['level'], limit: 200, display: false }, signal),
  });
  const number = typeof record.level === 'number' ? record.level : 1;
  const final = levels.data ? !levels.data.data.some((l) => typeof l.level === 'number' && l.level > number) : false;

  const input = useDebounced(draft, 400);
  const preview = useQuery({
    queryKey: ['dunning', 'template-preview', input.subject, input.body, number, String(record.name ?? ''), input.days_overdue, input.fee, final],
    queryFn: ({ signal }) => dunningApi.templatePreview({
      subject: input.subject, body: input.body, level: number, name: String(record.name ?? 'Reminder'),
      days_overdue: input.days_overdue === '' ? 0 : input.days_overdue, fee: input.fee === '' ? null : input.fee, final,
    }, signal),
    placeholderData: (previous) => previous,
    retry: false,
    staleTime: 60_000,
  });
  const templateErrors: Record<string, string> = {};
  if (preview.error instanceof ApiError) for (const e of preview.error.fieldErrors()) if (e.field === 'subject' || e.field === 'body') templateErrors[e.field] ??= e.message;
  const otherError = preview.error && !Object.keys(templateErrors).length ? errorMessage(preview.error) : null;
  const pending = preview.isFetching || !same(input, draft);

  const form = useApiForm({
    fields: ['subject', 'body', 'days_overdue', 'fee', 'creates_task'],
    submit: () => updateRecord('dunning_level', id, {
      subject: draft.subject, body: draft.body, days_overdue: draft.days_overdue === '' ? null : draft.days_overdue, fee: draft.fee === '' ? null : draft.fee, creates_task: draft.creates_task,
    }, version),
    onSuccess: (r) => {
      onSaved(r);
      setDraft(draftOf(r));
      notifications.show({ color: 'green', message: 'Reminder level saved' });
    },
  });
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    form.clearError(key);
  };
  const errorOf = (name: 'subject' | 'body') => form.errors[name] ?? templateErrors[name];

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="dunning-template-title">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4" id="dunning-template-title">Reminder e-mail</Title>
        {final && <Badge variant="light" color="orange">Last level of the schedule</Badge>}
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-label="Reminder level template">
          <Stack gap="sm">
            <FormSummary summary={form.summary} errors={form.errors} />
            <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
              <NumberInput label="Days overdue" description="Sent when an invoice is this late" min={0} allowDecimal={false} required value={draft.days_overdue} error={form.errors.days_overdue}
                onChange={(v) => set('days_overdue', typeof v === 'number' ? v : v === '' ? '' : Number(v))} />
              <NumberInput label="Fee" description="Stated in the e-mail" min={0} decimalScale={2} value={draft.fee} error={form.errors.fee}
                onChange={(v) => set('fee', typeof v === 'number' ? v : v === '' ? '' : Number(v))} />
              <Checkbox mt={{ base: 0, xs: 'xl' }} label="Creates a task" description="For the account manager" checked={draft.creates_task} error={form.errors.creates_task}
                onChange={(e) => set('creates_task', e.currentTarget.checked)} />
            </SimpleGrid>
            <TextInput label="Subject" required value={draft.subject} error={errorOf('subject')} onChange={(e) => set('subject', e.currentTarget.value)}
              description="Liquid, e.g. {{ invoice_count }} invoices past due" styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} />
            <Textarea label="Body" required value={draft.body} error={errorOf('body')} onChange={(e) => set('body', e.currentTarget.value)} autosize minRows={8} maxRows={24}
              description="Plain text with Liquid: account.name, invoices (number, due_date, days_overdue, open_amount, pay_link), total, fee, company, today"
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }} />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" disabled={!dirty || form.pending} onClick={() => { setDraft(saved); form.reset(); }}>Discard changes</Button>
              <Button type="submit" loading={form.pending} disabled={!dirty}>Save level</Button>
            </Group>
          </Stack>
        </form>
        <Box>
          <Group justify="space-between" mb={4}>
            <Text fw={600} size="sm" id="dunning-preview-title">Preview</Text>
            {pending && <Loader size="xs" aria-label="Updating the preview" />}
          </Group>
          <Text size="xs" c="dimmed" mb="xs">Rendered by the server for a sample account with two overdue invoices.</Text>
          <PreviewPane rendered={preview.data} stale={!!preview.error} />
          <div aria-live="polite">
            {Object.keys(templateErrors).length > 0 && (
              <Alert color="red" variant="light" mt="xs" p="xs" title="The template does not render">
                {Object.entries(templateErrors).map(([f, m]) => <Text key={f} size="sm">{f === 'subject' ? 'Subject' : 'Body'}: {m}</Text>)}
              </Alert>
            )}
            {otherError && <Alert color="red" variant="light" mt="xs" p="xs">{otherError}</Alert>}
          </div>
        </Box>
      </SimpleGrid>
    </Paper>
  );
}

function PreviewPane({ rendered, stale }: { rendered: RenderedTemplate | undefined; stale: boolean }) {
  if (!rendered) return <Paper withBorder p="sm" bg="var(--mantine-color-gray-0)"><Text size="sm" c="dimmed">Rendering…</Text></Paper>;
  return (
    <Paper withBorder p="sm" bg="var(--mantine-color-gray-0)" data-testid="dunning-template-preview" aria-labelledby="dunning-preview-title" opacity={stale ? 0.6 : 1}>
      <Text size="xs" c="dimmed">Subject</Text>
      <Text fw={600} mb="xs" data-testid="preview-subject">{rendered.subject}</Text>
      <Text size="xs" c="dimmed">Body</Text>
      <Text component="pre" size="sm" data-testid="preview-body" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'inherit', margin: 0 }}>{rendered.text}</Text>
    </Paper>
  );
}
