import { useState } from 'react';
import { Alert, Badge, Button, Code, Group, Modal, Paper, PasswordInput, Select, Stack, Switch, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { identityApi, type IdentityProvider, type ProviderInput } from '../../api/identity';
import { adminApi } from '../../api/admin';
import { errorMessage } from '../../api/client';
import { AdminOnly } from '../settings/AdminOnly';

/** Admins' single sign-on settings: OpenID Connect providers, test connection. */
export function SingleSignOnPage() {
  return (
    <AdminOnly>
      <ProvidersPanel />
    </AdminOnly>
  );
}

const EMPTY: ProviderInput = { name: '', issuer: '', clientId: '', clientSecret: '', allowedDomains: [], defaultProfile: null, enabled: true };

function ProvidersPanel() {
  const qc = useQueryClient();
  const providers = useQuery({ queryKey: ['sso-providers'], queryFn: identityApi.providers });
  const [editing, setEditing] = useState<IdentityProvider | 'new' | null>(null);
  const [deleting, setDeleting] = useState<IdentityProvider | null>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['sso-providers'] });

  const test = async (p: IdentityProvider) => {
    setResult(null);
    try {
      setResult(await identityApi.testProvider(p.id));
    } catch (err) {
      setResult({ ok: false, message: errorMessage(err) });
    }
  };

  const remove = async () => {
    if (!deleting) return;
    try {
      await identityApi.deleteProvider(deleting.id);
      setDeleting(null);
      refresh();
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    }
  };

  return (
    <Stack maw={1000}>
      <Title order={1}>Single sign-on</Title>
      <Text size="sm" c="dimmed">
        Staff sign in with your OpenID Connect provider. Register Meridian at the provider with the redirect URI <Code>{`${window.location.origin}/auth/sso/callback`}</Code>.
        Users are matched by verified e-mail; new ones are created with the default profile, if you choose one.
      </Text>
      <Button onClick={() => setEditing('new')} w="fit-content">Add provider</Button>
      {result && (
        <Alert color={result.ok ? 'green' : 'red'} role={result.ok ? 'status' : 'alert'} title={result.ok ? 'Connection works' : 'Connection failed'} withCloseButton onClose={() => setResult(null)}>
          {result.message}
        </Alert>
      )}
      <Paper withBorder>
        {/* Focusable: on a narrow screen the table scrolls sideways, and keyboard users must reach it. */}
        <div className="list-table-wrap" tabIndex={0} role="region" aria-label="Identity providers table">
          <Table verticalSpacing="sm" aria-label="Identity providers">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Issuer</Table.Th><Table.Th>Allowed domains</Table.Th><Table.Th>New users</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(providers.data ?? []).map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{p.name} {!p.enabled && <Badge color="gray" variant="light">Off</Badge>}</Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{p.issuer}</Table.Td>
                  <Table.Td>{p.allowedDomains.join(', ')}</Table.Td>
                  <Table.Td>{p.defaultProfile ?? 'Not created'}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="compact-xs" variant="subtle" onClick={() => void test(p)} aria-label={`Test connection to ${p.name}`}>Test connection</Button>
                      <Button size="compact-xs" variant="subtle" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>Edit</Button>
                      <Button size="compact-xs" variant="subtle" color="red" onClick={() => setDeleting(p)} aria-label={`Remove ${p.name}`}>Remove</Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              {providers.data?.length === 0 && (
                <Table.Tr><Table.Td colSpan={5}><Text size="sm" c="dimmed">No identity provider yet: staff sign in with passwords.</Text></Table.Td></Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      </Paper>
      <PasswordSignIn />
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'Add identity provider' : `Edit ${editing?.name ?? ''}`} centered size="lg">
        {editing !== null && <ProviderForm provider={editing === 'new' ? null : editing} onDone={() => { setEditing(null); refresh(); }} />}
      </Modal>
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={`Remove ${deleting?.name ?? ''}?`} centered>
        <Text size="sm" mb="md">Staff can no longer sign in with it; their Meridian users stay.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDeleting(null)}>Cancel</Button>
          <Button color="red" onClick={() => void remove()}>Remove</Button>
        </Group>
      </Modal>
    </Stack>
  );
}

function ProviderForm({ provider, onDone }: { provider: IdentityProvider | null; onDone: () => void }) {
  const profiles = useQuery({ queryKey: ['profiles'], queryFn: adminApi.profiles });
  const [v, setV] = useState<ProviderInput>(provider ? { ...provider, clientSecret: '' } : EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof ProviderInput>(key: K, value: ProviderInput[K]) => setV((old) => ({ ...old, [key]: value }));

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const { clientSecret, ...rest } = v;
      const body = { ...rest, ...(clientSecret ? { clientSecret } : {}) };
      if (provider) await identityApi.updateProvider(provider.id, body);
      else await identityApi.createProvider(body);
      onDone();
    } catch (err) {
      const fieldErrors = (err as { problem?: { errors?: Array<{ field: string; message: string }> } }).problem?.errors ?? [];
      if (fieldErrors.length) setErrors(Object.fromEntries(fieldErrors.map((f) => [f.field, f.message])));
      else notifications.show({ color: 'red', message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save}>
      <Stack>
        <TextInput label="Name on the sign-in button" placeholder="e.g. Okta" value={v.name} onChange={(e) => set('name', e.currentTarget.value)} error={errors.name} required data-autofocus />
        <TextInput label="Issuer URL" placeholder="https://login.example.com" value={v.issuer} onChange={(e) => set('issuer', e.currentTarget.value)} error={errors.issuer} required />
        <TextInput label="Client id" value={v.clientId} onChange={(e) => set('clientId', e.currentTarget.value)} error={errors.clientId} required />
        <PasswordInput label="Client secret" description={provider ? 'Leave empty to keep the current secret' : 'Stored encrypted'} value={v.clientSecret ?? ''} onChange={(e) => set('clientSecret', e.currentTarget.value)} error={errors.clientSecret} required={!provider} />
        <TagsInput label="Allowed e-mail domains" description="Press Enter after each domain" placeholder="example.com" value={v.allowedDomains} onChange={(d) => set('allowedDomains', d)} error={errors.allowedDomains} />
        <Select
          label="Profile of new users"
          description="Users who sign in for the first time are created with it; choose none to let only existing users in"
          data={[{ value: '', label: 'None: existing users only' }, ...(profiles.data ?? []).map((p) => ({ value: p.name, label: p.label }))]}
          value={v.defaultProfile ?? ''}
          onChange={(p) => set('defaultProfile', p || null)}
          error={errors.defaultProfile}
          allowDeselect={false}
        />
        <Switch label="Offer on the sign-in page" checked={v.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        <Group justify="flex-end">
          <Button type="submit" loading={busy}>Save provider</Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Per user: may they still sign in with a password? Off also ends their sessions. */
function PasswordSignIn() {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users', 'admin'], queryFn: adminApi.users });
  const off = useQuery({ queryKey: ['password-sign-in-off'], queryFn: identityApi.passwordSignInOff });
  const toggle = async (id: string, name: string, enabled: boolean) => {
    try {
      await identityApi.setPasswordSignIn(id, enabled);
      notifications.show({ message: `Password sign-in ${enabled ? 'on' : 'off'} for ${name}` });
      void qc.invalidateQueries({ queryKey: ['password-sign-in-off'] });
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Title order={2} size="h3">Password sign-in</Title>
        <Text size="sm" c="dimmed">Turn it off for staff who must use single sign-on. Keep at least one administrator with a password.</Text>
        {(users.data?.data ?? []).filter((u) => u.active !== false).map((u) => {
          const name = String(u.full_name || u.email);
          return <Switch key={u.id} label={`${name} (${String(u.email ?? '')})`} checked={!(off.data ?? []).includes(u.id)} onChange={(e) => void toggle(u.id, name, e.currentTarget.checked)} />;
        })}
      </Stack>
    </Paper>
  );
}
