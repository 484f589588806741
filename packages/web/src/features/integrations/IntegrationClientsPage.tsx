import { useState } from 'react';
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, MultiSelect, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { identityApi, type IntegrationClient, type NewClient } from '../../api/identity';
import { adminApi } from '../../api/admin';
import { useMetadata } from '../../api/metadata';
import { errorMessage } from '../../api/client';
import { formatDateTime } from '../../lib/format';
import { AdminOnly } from '../settings/AdminOnly';

/** Admins' integration clients (OAuth 2.0 client credentials): register (the secret is shown once), rotate, revoke. */
export function IntegrationClientsPage() {
  return (
    <AdminOnly>
      <ClientsPanel />
    </AdminOnly>
  );
}

function ClientsPanel() {
  const qc = useQueryClient();
  const clients = useQuery({ queryKey: ['integration-clients'], queryFn: identityApi.clients });
  const users = useQuery({ queryKey: ['users', 'admin'], queryFn: adminApi.users });
  const { objects } = useMetadata();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['records:read']);
  const [userId, setUserId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ title: string; client: NewClient } | null>(null);
  const [revoking, setRevoking] = useState<IntegrationClient | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['integration-clients'] });

  const scopeOptions = [
    { group: 'Every object', items: ['records:read', 'records:write'] },
    { group: 'One object', items: objects.flatMap((o) => [`records:read:${o.apiName}`, `records:write:${o.apiName}`]) },
  ];
  const userOptions = (users.data?.data ?? []).map((u) => ({ value: u.id, label: String(u.full_name || u.email) }));

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!userId) return;
    setBusy(true);
    try {
      const client = await identityApi.createClient({ name: name.trim(), scopes, userId });
      setSecret({ title: `Client “${client.name}” registered`, client });
      setName('');
      refresh();
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  const rotate = async (c: IntegrationClient) => {
    try {
      const client = await identityApi.rotateSecret(c.id);
      setSecret({ title: `New secret for “${c.name}”`, client });
      refresh();
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    try {
      await identityApi.revokeClient(revoking.id);
      notifications.show({ message: `Client ${revoking.name} revoked` });
      setRevoking(null);
      refresh();
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    }
  };

  return (
    <Stack maw={1000}>
      <Title order={1}>Integration clients</Title>
      <Text size="sm" c="dimmed">
        Other systems sign in with a client id and secret at <Code>POST /oauth/token</Code> (OAuth 2.0 client credentials) and call the API with the short-lived token.
        A client acts as a user and can never do more than that user, nor more than its scopes.
      </Text>
      <Paper withBorder p="md">
        <form onSubmit={create} aria-label="Register an integration client">
          <Stack>
            <Group align="flex-end" wrap="wrap">
              <TextInput label="Client name" placeholder="e.g. Data warehouse sync" value={name} onChange={(e) => setName(e.currentTarget.value)} required style={{ flex: 1, minWidth: 200 }} />
              <Select label="Acts as" placeholder="Choose a user" data={userOptions} value={userId} onChange={setUserId} searchable required style={{ flex: 1, minWidth: 200 }} />
            </Group>
            <MultiSelect label="Scopes" data={scopeOptions} value={scopes} onChange={setScopes} searchable required />
            <Button type="submit" loading={busy} disabled={!name.trim() || !userId || !scopes.length} w="fit-content">Register client</Button>
          </Stack>
        </form>
      </Paper>
      {secret && (
        <Alert color="green" title={secret.title} withCloseButton onClose={() => setSecret(null)}>
          <Stack gap="xs">
            <Text size="sm">Copy the secret now: it is shown only once.</Text>
            <Text size="sm">Client id</Text>
            <Code block data-testid="client-id" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{secret.client.clientId}</Code>
            <Text size="sm">Client secret</Text>
            <Code block data-testid="client-secret" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{secret.client.clientSecret}</Code>
            <CopyButton value={secret.client.clientSecret}>{({ copied, copy }) => <Button size="xs" variant="default" onClick={copy} w="fit-content">{copied ? 'Copied' : 'Copy secret'}</Button>}</CopyButton>
          </Stack>
        </Alert>
      )}
      <Paper withBorder>
        {/* Focusable: on a narrow screen the table scrolls sideways, and keyboard users must reach it. */}
        <div className="list-table-wrap" tabIndex={0} role="region" aria-label="Integration clients table">
          <Table verticalSpacing="sm" aria-label="Integration clients">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Client id</Table.Th><Table.Th>Scopes</Table.Th><Table.Th>Acts as</Table.Th><Table.Th>Last token</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(clients.data ?? []).map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>{c.name} {c.revokedAt && <Badge color="gray" variant="light">Revoked</Badge>}</Table.Td>
                  <Table.Td><Code>{c.clientId}</Code></Table.Td>
                  <Table.Td>{c.scopes.join(' ')}</Table.Td>
                  <Table.Td>{c.userEmail ?? ''}</Table.Td>
                  <Table.Td>{c.lastUsedAt ? formatDateTime(c.lastUsedAt) : 'Never'}</Table.Td>
                  <Table.Td>
                    {!c.revokedAt && (
                      <Group gap="xs" wrap="nowrap">
                        <Button size="compact-xs" variant="subtle" onClick={() => void rotate(c)} aria-label={`Rotate secret of ${c.name}`}>Rotate secret</Button>
                        <Button size="compact-xs" variant="subtle" color="red" onClick={() => setRevoking(c)} aria-label={`Revoke ${c.name}`}>Revoke</Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              {clients.data?.length === 0 && (
                <Table.Tr><Table.Td colSpan={6}><Text size="sm" c="dimmed">No integration clients yet.</Text></Table.Td></Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      </Paper>
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title={`Revoke ${revoking?.name ?? ''}?`} centered>
        <Text size="sm" mb="md">Its secret and every token it holds stop working at once.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setRevoking(null)}>Cancel</Button>
          <Button color="red" onClick={() => void revoke()}>Revoke</Button>
        </Group>
      </Modal>
    </Stack>
  );
}
