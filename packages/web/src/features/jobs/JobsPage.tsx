import { Alert, Badge, Button, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { Loading } from '../../components/PageState';
import { formatDateTime, formatNumber } from '../../lib/format';
import { jobsApi, type JobRow } from './api';

export const JOBS_PATH = '/settings/jobs';
const STATE_COLORS: Record<string, string> = { completed: 'green', failed: 'red', active: 'blue', retry: 'orange', created: 'gray', cancelled: 'gray' };

function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${formatNumber(ms)} ms`;
  if (ms < 60_000) return `${formatNumber(Math.round(ms / 100) / 10)} s`;
  return `${formatNumber(Math.round(ms / 6000) / 10)} min`;
}

/**
 * The jobs page (issue 14 items 5 and 11, admins): every background job — Meridian's own and
 * the schedules created at run time (scheduled rules) — with its schedule, last run and result,
 * how long it took, the next run and the failures of the last day with the newest error.
 */
export function JobsPage() {
  const jobs = useQuery({ queryKey: ['jobs'], queryFn: () => jobsApi.list(), refetchInterval: 30_000 });
  const denied = jobs.error instanceof ApiError && jobs.error.status === 403;
  const rows = jobs.data?.data;
  return (
    <Stack gap="md" maw={1200}>
      <div>
        <Title order={1}>Jobs</Title>
        <Text size="sm" c="dimmed">Background work and schedules. Times are in your zone; schedules run in the zone shown.</Text>
      </div>
      {denied ? <Alert color="gray" role="status" title="Administrators only">The jobs page shows the whole installation's background work.</Alert>
        : jobs.error ? <Alert color="red" role="alert">{errorMessage(jobs.error)} <Button size="compact-sm" variant="subtle" onClick={() => void jobs.refetch()}>Try again</Button></Alert>
          : !rows ? <Loading label="Loading the jobs" />
            : rows.length === 0 ? <Alert color="gray" role="status">No jobs are declared.</Alert> : (
              // A plain scroller that takes focus: the table has nothing focusable for keyboard users to scroll it by.
              <div role="region" aria-label="Jobs table, scrolls sideways" tabIndex={0} style={{ overflowX: 'auto' }}>
                <Table striped aria-label="Jobs" miw={900}>
                  <Table.Thead>
                    <Table.Tr><Table.Th>Job</Table.Th><Table.Th>Schedule</Table.Th><Table.Th>Last run</Table.Th><Table.Th>Duration</Table.Th><Table.Th>Next run</Table.Th><Table.Th>Failures (24 h)</Table.Th><Table.Th>Queued / running</Table.Th></Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>{rows.map((j) => <Row key={`${j.name}/${j.key}`} job={j} />)}</Table.Tbody>
                </Table>
              </div>
            )}
    </Stack>
  );
}

function Row({ job: j }: { job: JobRow }) {
  return (
    <Table.Tr data-job={j.name}>
      <Table.Td><Text size="sm" fw={600}>{j.name}</Text><Text size="xs" c="dimmed">{j.source}{j.key ? ` · ${j.key}` : ''}</Text></Table.Td>
      <Table.Td>{j.cron ? <><code>{j.cron}</code><Text size="xs" c="dimmed">{j.timeZone}</Text></> : 'On demand'}</Table.Td>
      <Table.Td>{j.lastRun ? <><Badge color={STATE_COLORS[j.lastRun.state] ?? 'gray'} variant="light">{j.lastRun.state}</Badge>{j.lastRun.startedAt && <Text size="xs" c="dimmed">{formatDateTime(j.lastRun.startedAt)}</Text>}</> : <Text size="sm" c="dimmed">Not run yet</Text>}</Table.Td>
      <Table.Td>{duration(j.lastRun?.durationMs ?? null)}</Table.Td>
      <Table.Td>{j.nextRun ? formatDateTime(j.nextRun) : '—'}</Table.Td>
      <Table.Td>{j.failures24h > 0 ? <><Text size="sm" c="red.8" fw={600}>{j.failures24h}</Text>{j.lastFailure?.error && <Text size="xs" c="dimmed" lineClamp={2} title={j.lastFailure.error}>{j.lastFailure.error}</Text>}</> : '0'}</Table.Td>
      <Table.Td>{j.queued} / {j.active}</Table.Td>
    </Table.Tr>
  );
}
