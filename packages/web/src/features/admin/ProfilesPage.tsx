import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Group, Modal, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useApiForm } from '../../lib/useApiForm';
import { FormSummary } from '../../components/FormSummary';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi, type FieldAccess, type PermissionKey, type Profile, type ProfilePermissions } from '../../api/admin';
import { ApiError, errorMessage } from '../../api/client';
import { isSystemField, useMetadata } from '../../api/metadata';
import { ErrorState, Loading } from '../../components/PageState';

const KEYS: { key: PermissionKey; label: string }[] = [
  { key: 'read', label: 'Read' }, { key: 'create', label: 'Create' }, { key: 'edit', label: 'Edit' },
  { key: 'delete', label: 'Delete' }, { key: 'viewAll', label: 'View all' }, { key: 'modifyAll', label: 'Modify all' },
];
const slug = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');

/** Profiles: what each profile may do per object, and which fields it sees hidden or read-only. */
export function ProfilesPage() {
  const qc = useQueryClient();
  const profiles = useQuery({ queryKey: ['profiles'], queryFn: adminApi.profiles });
  const [selected, setSelected] = useState<string | null>('standard');
  const [creating, setCreating] = useState(false);
  const profile = profiles.data?.find((p) => p.name === selected) ?? profiles.data?.[0];
  return (
    <Stack maw={1100}>
      <Group justify="space-between">
        <Title order={1}>Profiles</Title>
        <Button onClick={() => setCreating(true)}>New profile</Button>
      </Group>
      {profiles.isLoading && <Loading />}
      {profiles.error && <ErrorState error={profiles.error} />}
      {profiles.data && (
        <Select label="Profile" w={320} data={profiles.data.map((p) => ({ value: p.name, label: p.label }))} value={profile?.name ?? null} onChange={setSelected} allowDeselect={false} />
      )}
      {profile && <ProfileEditor key={profile.name} profile={profile} onSaved={() => void qc.invalidateQueries({ queryKey: ['profiles'] })} />}
      {creating && <NewProfileModal onClose={() => setCreating(false)} onSaved={(p) => { setCreating(false); setSelected(p.name); void qc.invalidateQueries({ queryKey: ['profiles'] }); }} />}
    </Stack>
  );
}

function ProfileEditor({ profile, onSaved }: { profile: Profile; onSaved: () => void }) {
  const { objects, byName } = useMetadata();
  const [perms, setPerms] = useState<ProfilePermissions>(profile.permissions ?? {});
  const [fieldObject, setFieldObject] = useState<string | null>(null);
  useEffect(() => setPerms(profile.permissions ?? {}), [profile]);
  const readOnly = profile.isAdmin;
  const effective = (o: string, k: PermissionKey) => readOnly || (perms.objects?.[o]?.[k] ?? perms.default?.[k] ?? false);
  const setPerm = (o: string, k: PermissionKey, v: boolean) => setPerms((p) => {
    const current = Object.fromEntries(KEYS.map(({ key }) => [key, effective(o, key)]));
    return { ...p, objects: { ...p.objects, [o]: { ...current, [k]: v } } };
  });
  const fieldAccess = (o: string, f: string): FieldAccess | 'edit' => perms.fields?.[o]?.[f] ?? 'edit';
  const setFieldAccess = (o: string, f: string, v: string | null) => setPerms((p) => {
    const forObject = { ...p.fields?.[o] };
    if (!v || v === 'edit') delete forObject[f];
    else forObject[f] = v as FieldAccess;
    return { ...p, fields: { ...p.fields, [o]: forObject } };
  });
  // The matrix is one form: errors name cells (objects.lead.delete), so they go to the summary.
  const form = useApiForm({
    submit: () => adminApi.saveProfile({ permissions: perms }, profile.name),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `Profile ${profile.label} saved` });
      onSaved();
    },
  });
  const list = [...objects].filter((o) => o.apiName !== 'user').sort((a, b) => a.label.localeCompare(b.label));
  const fo = fieldObject ? byName(fieldObject) : undefined;
  return (
    <Stack>
      {readOnly && <Alert color="blue">The administrator profile always has every permission.</Alert>}
      <FormSummary summary={form.summary && `Not saved: ${form.summary}`} errors={{}} />
      <Paper withBorder component="section" aria-labelledby="perm-title" p="md">
        <Title order={2} size="h4" id="perm-title" mb="sm">Object permissions</Title>
        <div className="list-table-wrap">
          <Table aria-label={`Object permissions of ${profile.label}`} verticalSpacing={4}>
            <Table.Thead><Table.Tr><Table.Th>Object</Table.Th>{KEYS.map((k) => <Table.Th key={k.key}>{k.label}</Table.Th>)}</Table.Tr></Table.Thead>
            <Table.Tbody>
              {list.map((o) => (
                <Table.Tr key={o.apiName}>
                  <Table.Th scope="row" fw={400}>{o.label}</Table.Th>
                  {KEYS.map((k) => (
                    <Table.Td key={k.key}>
                      <Checkbox aria-label={`${k.label} ${o.pluralLabel}`} checked={effective(o.apiName, k.key)} disabled={readOnly} onChange={(e) => setPerm(o.apiName, k.key, e.currentTarget.checked)} />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </Paper>
      <Paper withBorder component="section" aria-labelledby="fields-title" p="md">
        <Title order={2} size="h4" id="fields-title" mb="sm">Field access</Title>
        <Select label="Object" w={320} searchable data={list.map((o) => ({ value: o.apiName, label: o.label }))} value={fieldObject} onChange={setFieldObject} />
        {fo && (
          <Table aria-label={`Field access on ${fo.label}`} mt="sm" verticalSpacing={4}>
            <Table.Thead><Table.Tr><Table.Th>Field</Table.Th><Table.Th>Access</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {fo.fields.filter((f) => !isSystemField(f)).map((f) => (
                <Table.Tr key={f.apiName}>
                  <Table.Td>{f.label}</Table.Td>
                  <Table.Td>
                    <Select aria-label={`Access to ${f.label}`} size="xs" w={160} disabled={readOnly} allowDeselect={false}
                      data={[{ value: 'edit', label: 'Editable' }, { value: 'read_only', label: 'Read only' }, { value: 'hidden', label: 'Hidden' }]}
                      value={fieldAccess(fo.apiName, f.apiName)} onChange={(v) => setFieldAccess(fo.apiName, f.apiName, v)} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {!readOnly && <Group justify="flex-end"><Button onClick={() => form.onSubmit()} loading={form.pending}>Save profile</Button></Group>}
    </Stack>
  );
}

function NewProfileModal({ onClose, onSaved }: { onClose: () => void; onSaved: (p: Profile) => void }) {
  const [label, setLabel] = useState('');
  const form = useApiForm({
    fields: ['label'],
    // The API name is made from the label, so its errors are the label's.
    fieldOf: (path) => (path === 'name' ? 'label' : path),
    submit: () => adminApi.saveProfile({ name: slug(label), label, permissions: { default: { read: true } } }),
    onSuccess: onSaved,
  });
  return (
    <Modal opened onClose={onClose} title="New profile" centered>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          <TextInput label="Label" required value={label} onChange={(e) => setLabel(e.currentTarget.value)} error={form.errors.label} description={label ? `API name: ${slug(label)}` : undefined} />
          <Text size="xs" c="dimmed">A new profile may read every object; grant more in the matrix.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={form.pending}>Create profile</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
