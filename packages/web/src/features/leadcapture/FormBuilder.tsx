import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, CopyButton, Group, Loader, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { ApiError, errorMessage } from '../../api/client';
import { updateRecord } from '../../api/records';
import type { RecordSlotProps } from '../../lib/extensions';
import { formatNumber } from '../../lib/format';
import { BLOCK_REASONS, leadCaptureApi, type PreviewField } from './api';

/** One field as the visitor sees it (inputs are inert: this is a picture of the form). */
function PreviewInput({ field }: { field: PreviewField }) {
  const label = field.label;
  const common = { label, required: field.required, readOnly: true, tabIndex: -1 } as const;
  if (field.options) return <NativeSelect {...common} data={[{ value: '', label: '' }, ...field.options]} disabled />;
  if (field.type === 'long_text') return <Textarea {...common} rows={3} />;
  return <TextInput {...common} type={field.type === 'email' ? 'email' : field.type === 'phone' ? 'tel' : 'text'} />;
}

function Snippet({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text fw={600} size="sm">{label}</Text>
        <CopyButton value={value}>{({ copied, copy }) => <Button size="compact-sm" variant="light" onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
      </Group>
      <Text component="pre" ff="monospace" size="xs" p="xs" bg="var(--mantine-color-default-hover)" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0 }}>{value}</Text>
    </Stack>
  );
}

/**
 * The web form builder (issue 14 item 11): the field list with a live preview (the server reads
 * the list against the lead's fields, so what shows is what the hosted page will ask), the hosted
 * link and the snippets to copy, and what the form received and blocked.
 */
export function WebFormBuilder({ record, id, onSaved }: RecordSlotProps) {
  const saved = typeof record.fields === 'string' ? record.fields : '';
  const [spec, setSpec] = useState(saved);
  const [pow, setPow] = useState(record.proof_of_work === true);
  const version = record.version as number | undefined;
  useEffect(() => {
    setSpec(saved);
    setPow(record.proof_of_work === true);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the record changes
  }, [version]);
  // The preview follows typing, not every key.
  const [input] = useDebouncedValue(spec, 300);
  const preview = useQuery({ queryKey: ['leadcapture', 'preview', input], queryFn: ({ signal }) => leadCaptureApi.preview(input, signal), placeholderData: (p) => p, retry: false });
  const summary = useQuery({ queryKey: ['leadcapture', 'summary', id, version], queryFn: ({ signal }) => leadCaptureApi.summary(id, signal) });
  const fieldError = preview.error instanceof ApiError ? (preview.error.fieldErrors().find((e) => e.field === 'fields')?.message ?? errorMessage(preview.error)) : null;
  const [saving, setSaving] = useState(false);
  const dirty = spec !== saved || pow !== (record.proof_of_work === true);

  const save = async () => {
    setSaving(true);
    try {
      const next = await updateRecord('web_form', id, { fields: spec, proof_of_work: pow }, version);
      onSaved(next);
      notifications.show({ message: 'Form saved', color: 'green' });
    } catch (error) {
      notifications.show({ message: errorMessage(error), color: 'red' });
    } finally {
      setSaving(false);
    }
  };

  const blocked = Object.entries(summary.data?.blocked ?? {});
  return (
    <Paper withBorder p="md" component="section" aria-label="Form builder">
      <Stack gap="md">
        <Title order={2} size="h4">Form builder</Title>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="sm">
            <TextInput label="Fields" description="Lead fields in order, comma-separated; * marks a required one" value={spec} onChange={(e) => setSpec(e.currentTarget.value)} error={fieldError} />
            <Checkbox label="Ask the browser to solve a proof-of-work challenge" checked={pow} onChange={(e) => setPow(e.currentTarget.checked)} />
            <Group>
              <Button onClick={() => void save()} loading={saving} disabled={!dirty || !!fieldError}>Save form</Button>
              {dirty && <Text size="sm" c="dimmed">Unsaved changes</Text>}
            </Group>
            {summary.data && (
              <Stack gap="sm">
                <Snippet label="Hosted page" value={summary.data.hostedUrl} />
                <Snippet label="Embed script" value={summary.data.script} />
                <Snippet label="Iframe" value={summary.data.iframe} />
              </Stack>
            )}
          </Stack>
          <Paper withBorder p="md" aria-label="Live preview" component="section">
            <Stack gap="xs">
              <Group justify="space-between"><Text fw={600}>Live preview</Text>{preview.isFetching && <Loader size="xs" aria-label="Updating preview" />}</Group>
              <Title order={3} size="h5">{String(record.name ?? '')}</Title>
              {(preview.data?.fields ?? []).map((f) => <PreviewInput key={f.name} field={f} />)}
              <Group><Button disabled tabIndex={-1}>Send</Button></Group>
              <Text size="xs" c="dimmed">{record.redirect_url ? `Then goes to ${String(record.redirect_url)}` : `Then shows: ${String(record.thank_you ?? '')}`}</Text>
            </Stack>
          </Paper>
        </SimpleGrid>
        {summary.data && (
          <Stack gap="xs">
            <Text size="sm">
              {formatNumber(summary.data.submissions.created)} new leads, {formatNumber(summary.data.submissions.attached)} submissions attached to existing leads or contacts.
            </Text>
            {blocked.length ? (
              <Table aria-label="Blocked submissions" withTableBorder>
                <Table.Thead><Table.Tr><Table.Th>Blocked because</Table.Th><Table.Th ta="right">Attempts</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>{blocked.map(([reason, n]) => <Table.Tr key={reason}><Table.Td>{BLOCK_REASONS[reason] ?? reason}</Table.Td><Table.Td ta="right">{formatNumber(n)}</Table.Td></Table.Tr>)}</Table.Tbody>
              </Table>
            ) : <Alert variant="light" color="gray">No spam blocked yet.</Alert>}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
