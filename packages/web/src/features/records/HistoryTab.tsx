import { Button, Paper, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { fieldOf } from '../../api/metadata';
import { getHistory, queryRecords } from '../../api/records';
import type { HistoryEntry, ObjectDef } from '../../api/types';
import { formatDateTime, formatValue } from '../../lib/format';
import { lookupTarget } from '../../api/metadata';
import { useReferenceNames } from './useReferenceNames';

/** Field history, newest first, one row per changed field. */
export function HistoryTab({ object, id }: { object: ObjectDef; id: string }) {
  const q = useInfiniteQuery({
    queryKey: ['history', object.apiName, id],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => getHistory(object.apiName, id, pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = (q.data?.pages ?? []).flatMap((p) => p.data).filter((h) => h.field !== null || h.operation !== 'create');
  const actorIds = [...new Set(entries.map((e) => e.actorId).filter((x): x is string => !!x))];
  const actors = useQuery({
    queryKey: ['users', 'names', actorIds],
    enabled: actorIds.length > 0,
    queryFn: () => queryRecords('user', { filter: { field: 'id', op: 'in', value: actorIds }, fields: ['id', 'full_name'], limit: 200, display: false }),
  });
  const actorName = (id: string | null) => (id ? String(actors.data?.data.find((u) => u.id === id)?.full_name ?? 'someone') : 'Meridian');
  const refs = entries.flatMap((h) => {
    const field = h.field ? fieldOf(object, h.field) : undefined;
    return [{ field, value: h.oldValue }, { field, value: h.newValue }];
  });
  const names = useReferenceNames(refs);

  if (q.isLoading) return <Text c="dimmed">Loading history…</Text>;
  if (!entries.length) return <Text c="dimmed">No changes recorded yet.</Text>;

  const value = (h: HistoryEntry, v: unknown) => {
    const f = h.field ? fieldOf(object, h.field) : undefined;
    if (v === null || v === undefined || v === '') return '—';
    if (f && lookupTarget(f)) {
      // Never a raw id: the name, or a plain word while names load or when the reader cannot see the record.
      const name = names.display[lookupTarget(f)!]?.[String(v)];
      return name || (names.ready ? 'a deleted or hidden record' : '…');
    }
    return f ? formatValue(f, v) : typeof v === 'string' ? v : JSON.stringify(v);
  };

  return (
    <Stack>
      <Paper withBorder>
        <div className="list-table-wrap">
          <Table verticalSpacing="xs" aria-label="Field history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Field</Table.Th>
                <Table.Th>Old value</Table.Th>
                <Table.Th>New value</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((h) => (
                <Table.Tr key={h.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(h.occurredAt)}</Table.Td>
                  <Table.Td>{actorName(h.actorId)} <Text span size="xs" c="dimmed">({h.via})</Text></Table.Td>
                  <Table.Td>{h.field ? fieldOf(object, h.field)?.label ?? h.field : h.operation}</Table.Td>
                  <Table.Td>{h.operation === 'create' ? '' : value(h, h.oldValue)}</Table.Td>
                  <Table.Td>{value(h, h.newValue)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </Paper>
      {q.hasNextPage && <Button variant="subtle" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage} w="fit-content">Older changes</Button>}
    </Stack>
  );
}
