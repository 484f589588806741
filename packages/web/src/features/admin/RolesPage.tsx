import { useState } from 'react';
import { Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { FormModal } from '../../components/FormModal';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi, type Role } from '../../api/admin';
import { errorMessage } from '../../api/client';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';
import { ErrorState, Loading } from '../../components/PageState';

const slug = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, 'r_$1');

/** The role hierarchy: managers see the records of the roles below them. */
export function RolesPage() {
  const qc = useQueryClient();
  const roles = useQuery({ queryKey: ['roles'], queryFn: adminApi.roles });
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);

  const ordered: { role: Role; depth: number }[] = [];
  const all = roles.data ?? [];
  const walk = (parent: string | null, depth: number) => {
    for (const r of all.filter((x) => x.parent === parent).sort((a, b) => a.label.localeCompare(b.label))) {
      ordered.push({ role: r, depth });
      if (depth < 50) walk(r.name, depth + 1);
    }
  };
  walk(null, 0);
  const labelOf = (name: string | null) => (name ? all.find((r) => r.name === name)?.label ?? name : '');

  const remove = async () => {
    if (!deleting) return;
    try {
      await adminApi.deleteRole(deleting.name);
      notifications.show({ message: `Role ${deleting.label} deleted` });
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ['roles'] });
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };

  return (
    <Stack maw={900}>
      <Group justify="space-between">
        <Title order={1}>Roles</Title>
        <Button onClick={() => setEditing('new')}>New role</Button>
      </Group>
      <Text size="sm" c="dimmed">Users see the records owned by users in the roles below their own.</Text>
      {roles.isLoading && <Loading />}
      {roles.error && <ErrorState error={roles.error} />}
      {roles.data && (
        <Paper withBorder>
          <Table verticalSpacing="xs" aria-label="Role hierarchy">
            <Table.Thead><Table.Tr><Table.Th>Role</Table.Th><Table.Th>API name</Table.Th><Table.Th>Reports to</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {ordered.map(({ role, depth }) => (
                <Table.Tr key={role.name} data-role={role.name}>
                  <Table.Td style={{ paddingLeft: `calc(var(--mantine-spacing-sm) + ${depth * 1.25}rem)` }}>{depth > 0 ? '└ ' : ''}{role.label}</Table.Td>
                  <Table.Td><code>{role.name}</code></Table.Td>
                  <Table.Td>{labelOf(role.parent)}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button size="compact-sm" variant="subtle" onClick={() => setEditing(role)} aria-label={`Edit role ${role.label}`}>Edit</Button>
                      <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(role)} aria-label={`Delete role ${role.label}`}>Delete</Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              {ordered.length === 0 && <Table.Tr><Table.Td colSpan={4}><Text size="sm" c="dimmed">No roles yet.</Text></Table.Td></Table.Tr>}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {editing && <RoleModal role={editing === 'new' ? null : editing} roles={all} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); void qc.invalidateQueries({ queryKey: ['roles'] }); }} />}
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={`Delete role ${deleting?.label ?? ''}?`} centered>
        <Text size="sm" mb="md">Users in this role lose its place in the hierarchy.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDeleting(null)}>Cancel</Button>
          <Button color="red" onClick={() => void remove()}>Delete</Button>
        </Group>
      </Modal>
    </Stack>
  );
}

function RoleModal({ role, roles, onClose, onSaved }: { role: Role | null; roles: Role[]; onClose: () => void; onSaved: () => void }) {
  const [label, setLabel] = useState(role?.label ?? '');
  const [name, setName] = useState(role?.name ?? '');
  const [nameTouched, setNameTouched] = useState(!!role);
  const [parent, setParent] = useState<string | null>(role?.parent ?? null);
  const form = useApiForm({ fields: ['label', 'name', 'parent'], submit: () => adminApi.saveRole(role ? { label, parent } : { name, label, parent }, role?.name), onSuccess: onSaved });
  const errors = form.errors;
  return (
    <FormModal dirty={label !== (role?.label ?? '') || parent !== (role?.parent ?? null) || (!role && name !== '')} opened onClose={onClose} title={role ? `Edit role ${role.label}` : 'New role'} centered>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={errors} />
          <TextInput label="Label" required value={label} error={errors.label} onChange={(e) => { const v = e.currentTarget.value; setLabel(v); if (!nameTouched) setName(slug(v)); }} />
          <TextInput label="API name" required disabled={!!role} value={name} error={errors.name} onChange={(e) => { setName(e.currentTarget.value); setNameTouched(true); }} />
          <Select label="Reports to" clearable placeholder="Top of the hierarchy" data={roles.filter((r) => r.name !== role?.name).map((r) => ({ value: r.name, label: r.label }))} value={parent} onChange={setParent} error={errors.parent} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={form.pending}>{role ? 'Save role' : 'Create role'}</Button>
          </Group>
        </Stack>
      </form>
    </FormModal>
  );
}
