import { useState } from 'react';
import { Badge, Button, Group, Modal, Paper, PasswordInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { FormModal } from '../../components/FormModal';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi } from '../../api/admin';
import { errorMessage } from '../../api/client';
import type { RecordData } from '../../api/types';
import { ErrorState, Loading } from '../../components/PageState';
import { AnchorLink } from '../../components/links';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';

/** Users: create (with profile and role), deactivate / reactivate, reset a password. */
export function UsersPage() {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users', 'admin'], queryFn: adminApi.users });
  const roles = useQuery({ queryKey: ['roles'], queryFn: adminApi.roles });
  const profiles = useQuery({ queryKey: ['profiles'], queryFn: adminApi.profiles });
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<RecordData | null>(null);
  const nameOf = (u: RecordData) => String(u.full_name || u.email);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['users'] });
  };

  const setActive = async (u: RecordData, active: boolean) => {
    try {
      await adminApi.updateUser(u.id, { active });
      notifications.show({ message: `${nameOf(u)} ${active ? 'reactivated' : 'deactivated'}` });
      refresh();
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };

  return (
    <Stack maw={1100}>
      <Group justify="space-between">
        <Title order={1}>Users</Title>
        <Button onClick={() => setCreating(true)}>New user</Button>
      </Group>
      {users.isLoading && <Loading />}
      {users.error && <ErrorState error={users.error} />}
      {users.data && (
        <Paper withBorder>
          <div className="list-table-wrap">
            <Table verticalSpacing="xs" aria-label="Users">
              <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>E-mail</Table.Th><Table.Th>Profile</Table.Th><Table.Th>Role</Table.Th><Table.Th>Status</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {users.data.data.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td><AnchorLink to="/o/$object/$id" params={{ object: 'user', id: u.id }} search={{ tab: undefined }}>{nameOf(u)}</AnchorLink></Table.Td>
                    <Table.Td>{String(u.email ?? '')}</Table.Td>
                    <Table.Td>{profiles.data?.find((p) => p.name === u.profile)?.label ?? String(u.profile ?? '')}</Table.Td>
                    <Table.Td>{roles.data?.find((r) => r.name === u.role)?.label ?? String(u.role ?? '')}</Table.Td>
                    <Table.Td>{u.active === false ? <Badge color="gray" variant="light">Inactive</Badge> : <Badge color="green" variant="light">Active</Badge>}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button size="compact-sm" variant="subtle" onClick={() => setResetting(u)} aria-label={`Reset password of ${nameOf(u)}`}>Reset password</Button>
                        {u.active === false
                          ? <Button size="compact-sm" variant="subtle" onClick={() => void setActive(u, true)} aria-label={`Reactivate ${nameOf(u)}`}>Reactivate</Button>
                          : <Button size="compact-sm" variant="subtle" color="red" onClick={() => void setActive(u, false)} aria-label={`Deactivate ${nameOf(u)}`}>Deactivate</Button>}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        </Paper>
      )}
      {creating && (
        <NewUserModal
          profiles={(profiles.data ?? []).map((p) => ({ value: p.name, label: p.label }))}
          roles={(roles.data ?? []).map((r) => ({ value: r.name, label: r.label }))}
          onClose={() => setCreating(false)}
          onSaved={() => { setCreating(false); refresh(); }}
        />
      )}
      {resetting && <PasswordModal user={resetting} name={nameOf(resetting)} onClose={() => setResetting(null)} />}
    </Stack>
  );
}

function NewUserModal({ profiles, roles, onClose, onSaved }: { profiles: { value: string; label: string }[]; roles: { value: string; label: string }[]; onClose: () => void; onSaved: () => void }) {
  const [v, setV] = useState({ first_name: '', last_name: '', email: '', password: '' });
  const [profile, setProfile] = useState<string | null>('standard');
  const [role, setRole] = useState<string | null>(null);
  const form = useApiForm({
    fields: ['first_name', 'last_name', 'email', 'password', 'profile', 'role'],
    fieldOf: (path) => ({ firstName: 'first_name', lastName: 'last_name' })[path] ?? path,
    submit: () => adminApi.createUser({ ...v, first_name: v.first_name || undefined, profile: profile ?? 'standard', ...(role ? { role } : {}) }),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `User ${v.email} created` });
      onSaved();
    },
  });
  const errors = form.errors;
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement>) => { const x = e.currentTarget.value; setV((o) => ({ ...o, [k]: x })); form.clearError(k); };
  const err = (k: string) => errors[k];
  return (
    <FormModal opened onClose={onClose} title="New user" centered dirty={Object.values(v).some(Boolean) || role !== null || profile !== 'standard'}>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={errors} />
          <Group grow align="flex-start">
            <TextInput label="First name" value={v.first_name} onChange={set('first_name')} error={err('first_name')} />
            <TextInput label="Last name" required value={v.last_name} onChange={set('last_name')} error={err('last_name')} />
          </Group>
          <TextInput label="E-mail" type="email" required value={v.email} onChange={set('email')} error={errors.email} />
          <PasswordInput label="Initial password" required value={v.password} onChange={set('password')} error={errors.password} description="At least 12 characters" />
          <Group grow align="flex-start">
            <Select label="Profile" required data={profiles} value={profile} onChange={setProfile} error={errors.profile} />
            <Select label="Role" clearable data={roles} value={role} onChange={setRole} error={errors.role} />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={form.pending}>Create user</Button>
          </Group>
        </Stack>
      </form>
    </FormModal>
  );
}

function PasswordModal({ user, name, onClose }: { user: RecordData; name: string; onClose: () => void }) {
  const [password, setPassword] = useState('');
  // Every error about this form is about the password: it is its only field.
  const form = useApiForm({
    fields: ['password'],
    fieldOf: () => 'password',
    submit: () => adminApi.setPassword(user.id, password),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `Password of ${name} reset` });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Reset password of ${name}`} centered>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={{}} />
          <PasswordInput label="New password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={form.errors.password} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={form.pending}>Set password</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
