import { useState } from 'react';
import { Alert, Badge, Box, Button, Group, NativeSelect, Paper, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import { Loading } from '../../components/PageState';
import { AnchorLink, ButtonLink } from '../../components/links';
import { analyticsApi, REPORTS_PATH } from './api';

const SHAPES = { tabular: 'Tabular', summary: 'Summary', matrix: 'Matrix' } as const;

/**
 * Reports (/reports, issue 16 item 9): the reports the user may open — their own and those shared
 * with their groups or role — by folder, a broken report marked with the reason, and a new report.
 */
export function ReportsPage() {
  const { byName } = useMetadata();
  const qc = useQueryClient();
  const [folder, setFolder] = useState('');
  const [newFolder, setNewFolder] = useState('');
  const [shared, setShared] = useState(false);
  const folders = useQuery({ queryKey: ['analytics', 'folders'], queryFn: analyticsApi.folders });
  const reports = useQuery({ queryKey: ['analytics', 'reports', folder], queryFn: () => analyticsApi.reports(folder || undefined) });
  const folderName = (id: string | null) => folders.data?.find((f) => f.id === id)?.name ?? '';

  const addFolder = async () => {
    try {
      await analyticsApi.createFolder({ name: newFolder, shared });
      setNewFolder('');
      await qc.invalidateQueries({ queryKey: ['analytics', 'folders'] });
      notifications.show({ message: 'Folder created' });
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    }
  };

  return (
    <Stack gap="md" maw={1100}>
      <Group justify="space-between" wrap="wrap">
        <div>
          <Title order={1}>Reports</Title>
          <Text size="sm" c="dimmed">Every report shows each person only the records and fields they may see.</Text>
        </div>
        <ButtonLink to="/reports/$id" params={{ id: 'new' }}>New report</ButtonLink>
      </Group>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect label="Folder" value={folder} onChange={(e) => setFolder(e.currentTarget.value)} w={220}
          data={[{ value: '', label: 'All reports' }, ...(folders.data ?? []).map((f) => ({ value: f.id, label: f.name }))]} />
        <TextInput label="New folder" value={newFolder} onChange={(e) => setNewFolder(e.currentTarget.value)} w={200} />
        <Switch label="Shared" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} mb={8} />
        <Button variant="default" onClick={addFolder} disabled={!newFolder.trim()}>Add folder</Button>
      </Group>
      {reports.isLoading && <Loading />}
      {reports.error && <Alert color="red" title="The reports could not be loaded">{errorMessage(reports.error)}</Alert>}
      {reports.data && (
        <Paper withBorder>
          <Box style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label="Reports list">
            <Table striped aria-label="Reports" miw={520}>
              <Table.Thead>
                <Table.Tr><Table.Th scope="col">Name</Table.Th><Table.Th scope="col">Object</Table.Th><Table.Th scope="col">Shape</Table.Th><Table.Th scope="col">Folder</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {reports.data.length === 0 && <Table.Tr><Table.Td colSpan={4}><Text size="sm" c="dimmed">No reports yet.</Text></Table.Td></Table.Tr>}
                {reports.data.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <AnchorLink to="/reports/$id" params={{ id: r.id }}>{r.name}</AnchorLink>
                      {r.standard && <Badge color="gray" variant="light" ml="xs">Standard</Badge>}
                      {r.broken && <Badge color="red" ml="xs" title={r.broken}>Broken</Badge>}
                      {r.broken && <Text size="xs" c="red.8">{r.broken}</Text>}
                    </Table.Td>
                    <Table.Td>{byName(r.object)?.pluralLabel ?? r.object}</Table.Td>
                    <Table.Td>{SHAPES[r.shape]}</Table.Td>
                    <Table.Td>{folderName(r.folder)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Box>
        </Paper>
      )}
    </Stack>
  );
}

export { REPORTS_PATH };
