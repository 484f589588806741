import { useState } from 'react';
import { Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi, type Sharing, type SharingRule } from '../../api/admin';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import type { Condition } from '../../api/types';
import { FilterBuilder } from '../../components/FilterBuilder';
import { ErrorState, Loading } from '../../components/PageState';

const slug = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 50);

const SHARING: { value: Sharing; label: string }[] = [
  { value: 'private', label: 'Private' }, { value: 'public_read', label: 'Public read only' }, { value: 'public_read_write', label: 'Public read/write' },
];

/** Organisation-wide defaults per object, and sharing rules that open records up to roles or groups. */
export function SharingPage() {
  const qc = useQueryClient();
  const { byName } = useMetadata();
  const settings = useQuery({ queryKey: ['sharing-settings'], queryFn: adminApi.sharingSettings });
  const rules = useQuery({ queryKey: ['sharing-rules'], queryFn: adminApi.sharingRules });
  const roles = useQuery({ queryKey: ['roles'], queryFn: adminApi.roles });
  const groups = useQuery({ queryKey: ['groups'], queryFn: adminApi.groups });
  const [creating, setCreating] = useState(false);
  const labelOf = (o: string) => byName(o)?.label ?? o;

  const setSharing = async (object: string, sharing: Sharing) => {
    try {
      await adminApi.setSharing(object, sharing);
      notifications.show({ color: 'green', message: `${labelOf(object)}: ${SHARING.find((s) => s.value === sharing)?.label}` });
      void qc.invalidateQueries({ queryKey: ['sharing-settings'] });
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };
  const remove = async (rule: SharingRule) => {
    try {
      await adminApi.deleteSharingRule(rule.id);
      void qc.invalidateQueries({ queryKey: ['sharing-rules'] });
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };
  const targetLabel = (r: SharingRule) => (r.shareWithType === 'group' ? groups.data?.find((g) => g.name === r.shareWith)?.label : roles.data?.find((x) => x.name === r.shareWith)?.label) ?? r.shareWith;

  return (
    <Stack maw={1000}>
      <Title order={1}>Sharing</Title>
      <Paper withBorder p="md" component="section" aria-labelledby="owd-title">
        <Title order={2} size="h4" id="owd-title" mb="xs">Organisation-wide defaults</Title>
        <Text size="sm" c="dimmed" mb="sm">Who sees records they do not own. Managers always see the records of the roles below them.</Text>
        {settings.isLoading && <Loading />}
        {settings.error && <ErrorState error={settings.error} />}
        {settings.data && (
          <Table aria-label="Organisation-wide defaults" verticalSpacing={4}>
            <Table.Thead><Table.Tr><Table.Th>Object</Table.Th><Table.Th>Default access</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {[...settings.data].sort((a, b) => labelOf(a.object).localeCompare(labelOf(b.object))).map((s) => (
                <Table.Tr key={s.object}>
                  <Table.Td>{labelOf(s.object)}</Table.Td>
                  <Table.Td>
                    {s.controlledBy
                      ? <Text size="sm" c="dimmed">Follows its {labelOf(s.controlledBy).toLowerCase()}</Text>
                      : <Select aria-label={`Default access to ${labelOf(s.object)}`} size="xs" w={200} data={SHARING} value={s.sharing} allowDeselect={false} onChange={(v) => v && void setSharing(s.object, v as Sharing)} />}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="rules-title">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="rules-title">Sharing rules</Title>
          <Button size="xs" onClick={() => setCreating(true)}>New sharing rule</Button>
        </Group>
        {rules.data && (
          <Table aria-label="Sharing rules" verticalSpacing={4}>
            <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>Object</Table.Th><Table.Th>Shared with</Table.Th><Table.Th>Access</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {rules.data.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{r.name} {r.valid === false && <Badge color="red" variant="light">Condition no longer valid</Badge>}</Table.Td>
                  <Table.Td>{labelOf(r.object)}</Table.Td>
                  <Table.Td>{targetLabel(r)}{r.shareWithType === 'role_and_subordinates' ? ' and below' : ''}</Table.Td>
                  <Table.Td>{r.access === 'edit' ? 'Read/write' : 'Read only'}</Table.Td>
                  <Table.Td><Button size="compact-sm" variant="subtle" color="red" onClick={() => void remove(r)} aria-label={`Delete sharing rule ${r.name}`}>Delete</Button></Table.Td>
                </Table.Tr>
              ))}
              {rules.data.length === 0 && <Table.Tr><Table.Td colSpan={5}><Text size="sm" c="dimmed">No sharing rules.</Text></Table.Td></Table.Tr>}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {creating && (
        <RuleModal
          roles={(roles.data ?? []).map((r) => ({ value: r.name, label: r.label }))}
          groups={(groups.data ?? []).map((g) => ({ value: g.name, label: g.label ?? g.name }))}
          onClose={() => setCreating(false)}
          onSaved={() => { setCreating(false); void qc.invalidateQueries({ queryKey: ['sharing-rules'] }); }}
        />
      )}
    </Stack>
  );
}

function RuleModal({ roles, groups, onClose, onSaved }: { roles: { value: string; label: string }[]; groups: { value: string; label: string }[]; onClose: () => void; onSaved: () => void }) {
  const { objects, byName } = useMetadata();
  const [name, setName] = useState('');
  const [object, setObject] = useState<string | null>(null);
  const [condition, setCondition] = useState<Condition | null>(null);
  const [type, setType] = useState<string | null>('role_and_subordinates');
  const [target, setTarget] = useState<string | null>(null);
  const [access, setAccess] = useState<string | null>('read');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const def = object ? byName(object) : undefined;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await adminApi.createSharingRule({ name: slug(name), object: object ?? '', condition, shareWithType: type as SharingRule['shareWithType'], shareWith: target ?? '', access: access as 'read' | 'edit' });
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title="New sharing rule" centered size="xl">
      <form onSubmit={submit} noValidate>
        <Stack>
          {error && <Text c="red" size="sm" role="alert">{error}</Text>}
          <Group grow align="flex-start">
            <TextInput label="Rule name" required value={name} onChange={(e) => setName(e.currentTarget.value)} description={name ? `Saved as ${slug(name)}` : 'Lower case with underscores'} />
            <Select label="Object" required searchable data={objects.filter((o) => o.apiName !== 'user').map((o) => ({ value: o.apiName, label: o.label }))} value={object} onChange={(v) => { setObject(v); setCondition(null); }} />
          </Group>
          {def && <FilterBuilder key={def.apiName} object={def} value={condition} onChange={setCondition} label="Records matching" />}
          <Group grow align="flex-start">
            <Select label="Share with" data={[{ value: 'role', label: 'Role' }, { value: 'role_and_subordinates', label: 'Role and subordinates' }, { value: 'group', label: 'Group' }]} value={type} onChange={(v) => { setType(v); setTarget(null); }} allowDeselect={false} />
            <Select label={type === 'group' ? 'Group' : 'Role'} required data={type === 'group' ? groups : roles} value={target} onChange={setTarget} />
            <Select label="Access" data={[{ value: 'read', label: 'Read only' }, { value: 'edit', label: 'Read/write' }]} value={access} onChange={setAccess} allowDeselect={false} />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={busy}>Create rule</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
