import { useState } from 'react';
import { Alert, Box, Group, NativeSelect, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { picklistLabel, useMetadata } from '../../api/metadata';
import { Loading } from '../../components/PageState';
import { ButtonLink } from '../../components/links';
import { formatNumber } from '../../lib/format';
import { todayInZone } from '../timeline/time';
import { leadCaptureApi, type SpeedGrouping, type SpeedRow } from './api';

export const SPEED_TO_LEAD_PATH = '/speed-to-lead';

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
const daysBefore = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const percent = (share: number) => formatNumber(share, { style: 'percent', maximumFractionDigits: 0 });
const GROUPS: Array<{ value: SpeedGrouping; label: string }> = [{ value: 'owner', label: 'Owner' }, { value: 'source', label: 'Lead source' }, { value: 'week', label: 'Week' }];
/** Seed 002's target: 90% of leads contacted within 15 minutes. */
const TARGET = 0.9;

function Row({ row, label }: { row: SpeedRow; label: string }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" fw={row.key === null && label === 'All leads' ? 700 : 400}>{label}</Table.Th>
      <Table.Td ta="right">{formatNumber(row.leads)}</Table.Td>
      <Table.Td ta="right">{formatNumber(row.contacted)}</Table.Td>
      <Table.Td ta="right">{formatNumber(row.within15)}</Table.Td>
      <Table.Td ta="right"><Text span c={row.share >= TARGET ? undefined : 'red.9'} fw={600} title={row.share >= TARGET ? 'On target' : 'Below the 90% target'}>{percent(row.share)}</Text></Table.Td>
      <Table.Td ta="right">{row.medianMinutes === null ? '—' : `${formatNumber(row.medianMinutes)} min`}</Table.Td>
    </Table.Tr>
  );
}

/**
 * Speed to lead (/speed-to-lead, issue 14 items 10 and 11): the share of leads contacted within
 * 15 minutes of capture — seed 002's KPI, target 90% — by owner, source or week, over the leads
 * the user can see; the first contact is the first logged call, e-mail or held meeting, or the
 * status set to contacted.
 */
export function SpeedToLeadPage() {
  const today = todayInZone();
  const [groupBy, setGroupBy] = useState<SpeedGrouping>('owner');
  const [from, setFrom] = useState(daysBefore(today, 27));
  const [to, setTo] = useState(today);
  const valid = isDay(from) && isDay(to) && from <= to;
  const report = useQuery({ queryKey: ['leadcapture', 'speed', groupBy, from, to], enabled: valid, queryFn: ({ signal }) => leadCaptureApi.speed({ groupBy, from, to }, signal), placeholderData: (p) => p });
  const data = report.data;
  // A source is shown by its picklist label ("Web"), as lists show it; the server answers the stored value.
  const sourceField = useMetadata().byName('lead')?.fields.find((f) => f.apiName === 'source');
  const labelOf = (r: SpeedRow) =>
    groupBy === 'source' && r.key !== null && sourceField ? picklistLabel(sourceField, r.key) : (r.label ?? (groupBy === 'owner' ? 'No owner (queue)' : groupBy === 'source' ? 'No source' : '—'));

  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Title order={1}>Speed to lead</Title>
        <Text size="sm" c="dimmed">Leads contacted within 15 minutes of capture (target {percent(TARGET)}): the first call, e-mail or held meeting logged on the lead, or its status set to contacted.</Text>
      </div>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect label="Group by" data={GROUPS} value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as SpeedGrouping)} w={160} />
        <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={170} error={!isDay(from) ? 'Pick a day' : undefined} />
        <TextInput type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={170} error={isDay(from) && isDay(to) && to < from ? 'On or after From' : !isDay(to) ? 'Pick a day' : undefined} />
        <ButtonLink variant="default" to="/o/$object" params={{ object: 'assignment_rule' }} search={{ view: undefined }}>Assignment rules</ButtonLink>
        <ButtonLink variant="default" to="/o/$object" params={{ object: 'web_form' }} search={{ view: undefined }}>Web forms</ButtonLink>
      </Group>
      {report.isLoading && <Loading />}
      {report.error && <Alert color="red" title="The report could not be loaded">{errorMessage(report.error)}</Alert>}
      {data && (data.total.leads === 0 ? (
        <Alert variant="light" color="gray" title="No leads captured in this period">Leads from web forms, the capture mailbox, the API and imports are measured from the moment they arrive.</Alert>
      ) : (
        <Paper withBorder>
          {/* Its own focusable scroll box at phone width, so keyboard users can scroll it too. */}
          <Box style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label="Speed to lead by group">
            <Table aria-label="Speed to lead" striped miw={560}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{GROUPS.find((g) => g.value === groupBy)!.label}</Table.Th>
                  <Table.Th scope="col" ta="right">Leads</Table.Th>
                  <Table.Th scope="col" ta="right">Contacted</Table.Th>
                  <Table.Th scope="col" ta="right">Within 15 min</Table.Th>
                  <Table.Th scope="col" ta="right">Share</Table.Th>
                  <Table.Th scope="col" ta="right">Median</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>{data.rows.map((r) => <Row key={r.key ?? 'none'} row={r} label={labelOf(r)} />)}</Table.Tbody>
              <Table.Tfoot><Row row={data.total} label="All leads" /></Table.Tfoot>
            </Table>
          </Box>
        </Paper>
      ))}
    </Stack>
  );
}
