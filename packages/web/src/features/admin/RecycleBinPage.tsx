import { useState } from 'react';
import { Button, Group, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi, type BinItem } from '../../api/admin';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import { formatDateTime, formatNumber } from '../../lib/format';
import { ErrorState, Loading } from '../../components/PageState';
import { AnchorLink } from '../../components/links';

const records = (n: number) => `${formatNumber(n)} record${n === 1 ? '' : 's'}`;
/** A row's name: a group (an import undone) names itself and how many records it holds. */
const nameOf = (item: BinItem) => (item.group ? `${item.group.label} — ${records(item.group.count)}` : item.name);

/**
 * Deleted records (yours; everyone's for admins), newest first: restore or delete for good. A group
 * (the records an import created, undone) is one row; restoring it, after a confirmation naming
 * how many records come back, restores them all.
 */
export function RecycleBinPage() {
  const qc = useQueryClient();
  const { byName } = useMetadata();
  const q = useInfiniteQuery({
    queryKey: ['recycle-bin'],
    queryFn: ({ pageParam }) => adminApi.recycleBin(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const [purging, setPurging] = useState<BinItem | null>(null);
  const [confirmingRestore, setConfirmingRestore] = useState<BinItem | null>(null);
  const [restored, setRestored] = useState<Record<string, boolean>>({});
  const items = q.data?.pages.flatMap((p) => p.data) ?? [];
  const labelOf = (o: string) => byName(o)?.label ?? o;

  const restore = async (item: BinItem) => {
    try {
      const result = await adminApi.restore(item.id);
      setConfirmingRestore(null);
      setRestored((r) => ({ ...r, [item.id]: true }));
      void qc.invalidateQueries({ queryKey: ['records'] });
      const refused = result.refused ?? [];
      notifications.show({ color: 'green', message: item.group ? `${records(result.restored)} restored` : `${item.name ?? labelOf(item.object)} restored` });
      if (refused.length) {
        // Refused records stay in the bin (under the same row); say which and why.
        const shown = refused.slice(0, 3).map((r) => `${r.name ?? labelOf(r.object)}: ${r.message}`).join('; ');
        notifications.show({ color: 'red', autoClose: false, title: `${records(refused.length)} could not be restored`, message: refused.length > 3 ? `${shown}; …` : shown });
      }
      void qc.invalidateQueries({ queryKey: ['recycle-bin'] });
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };
  const purge = async () => {
    if (!purging) return;
    try {
      await adminApi.purge(purging.id);
      notifications.show({ message: `${nameOf(purging) ?? labelOf(purging.object)} deleted for good` });
      setPurging(null);
      void qc.invalidateQueries({ queryKey: ['recycle-bin'] });
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };

  return (
    <Stack maw={1000}>
      <Title order={1}>Recycle bin</Title>
      <Text size="sm" c="dimmed">Deleted records stay here until they are restored or deleted for good. Records deleted with them come back together.</Text>
      {q.isLoading && <Loading />}
      {q.error && <ErrorState error={q.error} />}
      {q.data && (
        <Paper withBorder>
          <div className="list-table-wrap">
            <Table verticalSpacing="sm" aria-label="Deleted records">
              <Table.Thead>
                <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Type</Table.Th><Table.Th>Deleted</Table.Th><Table.Th>Deleted with it</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item) => (
                  <Table.Tr key={item.id}>
                    <Table.Td>
                      {restored[item.id] && !item.group
                        ? <AnchorLink to="/o/$object/$id" params={{ object: item.object, id: item.recordId }} search={{ tab: undefined }}>{item.name ?? item.recordId}</AnchorLink>
                        : nameOf(item) ?? <Text span c="dimmed" size="sm">(no name)</Text>}
                    </Table.Td>
                    <Table.Td>{item.group ? 'Group' : labelOf(item.object)}</Table.Td>
                    <Table.Td>{formatDateTime(item.deletedAt)}</Table.Td>
                    <Table.Td>{item.dependents > 0 ? `${item.dependents} related` : ''}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button size="compact-sm" variant="light" onClick={() => (item.group ? setConfirmingRestore(item) : void restore(item))} aria-label={`Restore ${nameOf(item) ?? item.recordId}`}>Restore</Button>
                        <Button size="compact-sm" variant="subtle" color="red" onClick={() => setPurging(item)} aria-label={`Delete for good: ${nameOf(item) ?? item.recordId}`}>Delete for good</Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
                {items.length === 0 && (
                  <Table.Tr><Table.Td colSpan={5}><Text size="sm" c="dimmed">The recycle bin is empty.</Text></Table.Td></Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </div>
        </Paper>
      )}
      {q.hasNextPage && <Button variant="default" w="fit-content" loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>Load more</Button>}
      <Modal opened={confirmingRestore !== null} onClose={() => setConfirmingRestore(null)} title={`Restore ${confirmingRestore?.group ? records(confirmingRestore.group.count) : 'these records'}?`} centered>
        <Text size="sm" mb="md">
          All {confirmingRestore?.group ? records(confirmingRestore.group.count) : 'records'} of {confirmingRestore?.group?.label ?? 'this group'} come back
          {confirmingRestore && confirmingRestore.dependents > 0 ? `, with ${records(confirmingRestore.dependents)} deleted along with them` : ''}.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirmingRestore(null)}>Cancel</Button>
          <Button onClick={() => confirmingRestore && void restore(confirmingRestore)}>Restore {confirmingRestore?.group ? records(confirmingRestore.group.count) : ''}</Button>
        </Group>
      </Modal>
      <Modal opened={purging !== null} onClose={() => setPurging(null)} title={`Delete ${purging ? nameOf(purging) ?? 'this record' : 'this record'} for good?`} centered>
        <Text size="sm" mb="md">
          This cannot be undone{purging?.group ? `: all ${records(purging.group.count)} of the group are deleted` : ''}{purging && purging.dependents > 0 ? `; ${purging.dependents} related records go with ${purging.group ? 'them' : 'it'}` : ''}.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setPurging(null)}>Cancel</Button>
          <Button color="red" onClick={() => void purge()}>Delete for good</Button>
        </Group>
      </Modal>
    </Stack>
  );
}
