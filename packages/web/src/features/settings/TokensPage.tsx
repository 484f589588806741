import { useState } from 'react';
import { Alert, Button, Code, CopyButton, Group, Modal, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authApi } from '../../api/auth';
import { errorMessage } from '../../api/client';
import type { ApiToken } from '../../api/types';
import { formatDateTime } from '../../lib/format';

/** Personal API tokens: create (the secret is shown once), list, revoke. */
export function TokensPage() {
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => authApi.listTokens().then((r) => r.data) });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<(ApiToken & { token: string }) | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const t = await authApi.createToken(name.trim());
      setCreated(t);
      setName('');
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    try {
      await authApi.revokeToken(revoking.id);
      notifications.show({ message: `Token ${revoking.name} revoked` });
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    }
  };

  return (
    <Stack maw={900}>
      <Title order={1}>API tokens</Title>
      <Text size="sm" c="dimmed">Tokens let scripts and integrations call the API as you: send <Code>Authorization: Bearer &lt;token&gt;</Code>.</Text>
      <Paper withBorder p="md">
        <form onSubmit={create}>
          <Group align="flex-end">
            <TextInput label="Token name" placeholder="e.g. Accounting sync" value={name} onChange={(e) => setName(e.currentTarget.value)} required style={{ flex: 1, minWidth: 200 }} />
            <Button type="submit" loading={busy} disabled={!name.trim()}>Create token</Button>
          </Group>
        </form>
      </Paper>
      {created && (
        <Alert color="green" title={`Token “${created.name}” created`} withCloseButton onClose={() => setCreated(null)}>
          <Stack gap="xs">
            <Text size="sm">Copy it now: it is shown only once.</Text>
            <Code block data-testid="new-token">{created.token}</Code>
            <CopyButton value={created.token}>{({ copied, copy }) => <Button size="xs" variant="default" onClick={copy} w="fit-content">{copied ? 'Copied' : 'Copy token'}</Button>}</CopyButton>
          </Stack>
        </Alert>
      )}
      <Paper withBorder>
        <div className="list-table-wrap">
          <Table verticalSpacing="sm" aria-label="API tokens">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Created</Table.Th><Table.Th>Last used</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(tokens.data ?? []).map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>{t.createdAt ? formatDateTime(t.createdAt) : ''}</Table.Td>
                  <Table.Td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</Table.Td>
                  <Table.Td><Button size="compact-xs" variant="subtle" color="red" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.name}`}>Revoke</Button></Table.Td>
                </Table.Tr>
              ))}
              {tokens.data?.length === 0 && (
                <Table.Tr><Table.Td colSpan={4}><Text size="sm" c="dimmed">No tokens yet.</Text></Table.Td></Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      </Paper>
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title={`Revoke token ${revoking?.name ?? ''}?`} centered>
        <Text size="sm" mb="md">Anything using this token stops working at once.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setRevoking(null)}>Cancel</Button>
          <Button color="red" onClick={() => void revoke()}>Revoke</Button>
        </Group>
      </Modal>
    </Stack>
  );
}
