import { useState } from 'react';
import { Alert, Button, Group, Loader, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { automationApi } from './api';
import { RunTable } from './RunTable';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = [
  { value: '', label: 'Any status' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending or retrying' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'stopped', label: 'Stopped (loop limit)' },
  { value: 'skipped', label: 'Skipped' },
];

/**
 * The execution log of workflow rules (/automation/runs, issue 14 item 7): newest first, by
 * status and record, 50 at a time, each run with its drill-down and Retry when it failed.
 */
export function RunLogPage() {
  const [status, setStatus] = useState('');
  const [record, setRecord] = useState('');
  const [pages, setPages] = useState<string[]>([]);
  const before = pages[pages.length - 1];
  const recordId = UUID.test(record.trim()) ? record.trim() : undefined;
  const runs = useQuery({
    queryKey: ['automation', 'runs', 'log', status, recordId, before],
    queryFn: ({ signal }) => automationApi.runs({ status: status || undefined, record: recordId, before, limit: 50 }, signal),
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
  return (
    <Stack gap="md" maw={1200}>
      <Title order={1}>Workflow rule runs</Title>
      <Text c="dimmed">Every run of an after-save rule for a record: its actions with their results, failures with Retry, and chains stopped at the depth limit.</Text>
      <Group align="end">
        <Select label="Status" data={STATUSES} value={status} onChange={(v) => { setStatus(v ?? ''); setPages([]); }} allowDeselect={false} w={220} />
        <TextInput label="Record id" value={record} onChange={(e) => { setRecord(e.currentTarget.value); setPages([]); }} error={record.trim() && !recordId ? 'A record id (uuid)' : undefined} w={340} />
      </Group>
      {runs.isPending ? <Loader /> : runs.error ? <Alert color="red">{errorMessage(runs.error)}</Alert>
        : runs.data.data.length ? <RunTable runs={runs.data.data} label="Workflow rule runs" />
        : <Text c="dimmed">No runs match. Rules run when records change; create a workflow rule under Workflow rules.</Text>}
      <Group>
        {pages.length ? <Button variant="default" onClick={() => setPages(pages.slice(0, -1))}>Newer</Button> : null}
        {runs.data?.next ? <Button variant="default" onClick={() => setPages([...pages, runs.data.next!])}>Older</Button> : null}
      </Group>
    </Stack>
  );
}
