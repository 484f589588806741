import { useState } from 'react';
import { Alert, Box, Button, Group, NativeSelect, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { Loading } from '../../components/PageState';
import { AnchorLink } from '../../components/links';
import { analyticsApi } from '../analytics/api';
import { dashboardsApi } from './api';

/**
 * Dashboards (/dashboards, issue 16 item 9): those the user may open — their own, shared with
 * their groups or role, their profile's home — by folder (the report folders), and a new one.
 */
export function DashboardsPage() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [folder, setFolder] = useState('');
  const [name, setName] = useState('');
  const folders = useQuery({ queryKey: ['analytics', 'folders'], queryFn: analyticsApi.folders });
  const dashboards = useQuery({ queryKey: ['dashboards', 'list', folder], queryFn: () => dashboardsApi.list(folder || undefined) });
  const folderName = (id: string | null) => folders.data?.find((f) => f.id === id)?.name ?? '';

  const create = async () => {
    try {
      const created = await dashboardsApi.create({ name, folder: folder || null, widgets: [] });
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
      navigate({ to: '/dashboards/$id', params: { id: created.id }, search: { edit: true } });
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    }
  };

  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Title order={1}>Dashboards</Title>
        <Text size="sm" c="dimmed">Every widget shows each person only the records they may see.</Text>
      </div>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect label="Folder" value={folder} onChange={(e) => setFolder(e.currentTarget.value)} w={220}
          data={[{ value: '', label: 'All dashboards' }, ...(folders.data ?? []).map((f) => ({ value: f.id, label: f.name }))]} />
        <TextInput label="New dashboard" value={name} onChange={(e) => setName(e.currentTarget.value)} w={240} />
        <Button onClick={create} disabled={!name.trim()}>Create dashboard</Button>
      </Group>
      {dashboards.isLoading && <Loading />}
      {dashboards.error && <Alert color="red" title="The dashboards could not be loaded">{errorMessage(dashboards.error)}</Alert>}
      {dashboards.data && (
        <Paper withBorder>
          <Box style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label="Dashboards list">
            <Table striped aria-label="Dashboards" miw={420}>
              <Table.Thead>
                <Table.Tr><Table.Th scope="col">Name</Table.Th><Table.Th scope="col">Widgets</Table.Th><Table.Th scope="col">Folder</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {dashboards.data.length === 0 && <Table.Tr><Table.Td colSpan={3}><Text size="sm" c="dimmed">No dashboards yet.</Text></Table.Td></Table.Tr>}
                {dashboards.data.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td><AnchorLink to="/dashboards/$id" params={{ id: d.id }} search={{ edit: undefined }}>{d.name}</AnchorLink></Table.Td>
                    <Table.Td>{d.widgets.length}</Table.Td>
                    <Table.Td>{folderName(d.folder)}</Table.Td>
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
