import { useState } from 'react';
import { Alert, Badge, Button, FileInput, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import { Loading } from '../../components/PageState';
import { AnchorLink } from '../../components/links';
import { formatDateTime, formatNumber } from '../../lib/format';
import { importsApi, STATUS_COLORS, STATUS_LABELS, type ImportView } from './api';

export const IMPORTS_PATH = '/imports';

/**
 * Imports (issue 15 item 12): a new import — the object and a CSV or Excel file — and the
 * history of imports (yours; an administrator sees everyone's), each opening its wizard or results.
 */
export function ImportsPage() {
  const list = useQuery({ queryKey: ['imports'], queryFn: () => importsApi.list(), refetchInterval: (q) => (q.state.data?.data.some((i) => ['queued', 'running', 'undoing'].includes(i.status)) ? 2000 : false) });
  const rows = list.data?.data;
  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Title order={1}>Imports</Title>
        <Text size="sm" c="dimmed">Bring records in from a CSV or Excel file: map its columns, try it, then run it in the background.</Text>
      </div>
      <NewImport />
      <Title order={2} size="h3">History</Title>
      {list.error ? <Alert color="red" role="alert">{errorMessage(list.error)}</Alert>
        : !rows ? <Loading label="Loading the imports" />
          : rows.length === 0 ? <Alert color="gray" role="status">No imports yet.</Alert> : (
            <div role="region" aria-label="Imports table, scrolls sideways" tabIndex={0} style={{ overflowX: 'auto' }}>
              <Table striped aria-label="Imports" miw={760}>
                <Table.Thead>
                  <Table.Tr><Table.Th>File</Table.Th><Table.Th>Object</Table.Th><Table.Th>Status</Table.Th><Table.Th>Rows</Table.Th><Table.Th>Created / updated / rejected</Table.Th><Table.Th>Started</Table.Th></Table.Tr>
                </Table.Thead>
                <Table.Tbody>{rows.map((i) => <Row key={i.id} item={i} />)}</Table.Tbody>
              </Table>
            </div>
          )}
    </Stack>
  );
}

function Row({ item: i }: { item: ImportView }) {
  const { byName } = useMetadata();
  return (
    <Table.Tr data-import={i.id}>
      <Table.Td><AnchorLink to="/imports/$id" params={{ id: i.id }}>{i.fileName}</AnchorLink></Table.Td>
      <Table.Td>{byName(i.object)?.pluralLabel ?? i.object}</Table.Td>
      <Table.Td><Badge color={STATUS_COLORS[i.status] ?? 'gray'} variant="light">{STATUS_LABELS[i.status] ?? i.status}</Badge></Table.Td>
      <Table.Td>{formatNumber(i.progress.rowsDone)}</Table.Td>
      <Table.Td>{formatNumber(i.progress.created)} / {formatNumber(i.progress.updated)} / {formatNumber(i.progress.rejected)}</Table.Td>
      <Table.Td>{formatDateTime(i.startedAt ?? i.createdAt)}</Table.Td>
    </Table.Tr>
  );
}

function NewImport() {
  const { objects } = useMetadata();
  const navigate = useNavigate();
  const [object, setObject] = useState<string | null>('contact');
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: () => importsApi.upload(object!, file!),
    onSuccess: (created) => void navigate({ to: '/imports/$id', params: { id: created.id } }),
  });
  const choices = objects.filter((o) => o.apiName !== 'user').map((o) => ({ value: o.apiName, label: o.pluralLabel })).sort((a, b) => a.label.localeCompare(b.label));
  return (
    <form onSubmit={(e) => { e.preventDefault(); if (object && file) upload.mutate(); }} aria-label="New import">
      <Stack gap="sm">
        <Group align="end" wrap="wrap">
          <Select label="Import into" data={choices} value={object} onChange={setObject} searchable allowDeselect={false} w={240} />
          <FileInput label="File (CSV or .xlsx)" accept=".csv,.tsv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" value={file} onChange={setFile} w={300} clearable />
          <Button type="submit" disabled={!object || !file} loading={upload.isPending}>Upload</Button>
        </Group>
        {upload.error && <Alert color="red" role="alert" title="The file cannot be imported">{errorMessage(upload.error)}</Alert>}
      </Stack>
    </form>
  );
}
