import { useState } from 'react';
import { Alert, Button, CloseButton, Group, List, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { createRecord, deleteRecord, queryAllRecords } from '../../api/records';
import { LookupSelect } from '../../components/LookupSelect';
import { ErrorState, Loading } from '../../components/PageState';
import { formatDate } from '../../lib/format';
import { todayInZone } from '../timeline/time';
import { assignmentApi } from './assignmentApi';
import { nameOf, useField, useOrderedRecords, useRefresh } from './assignmentShared';

/** A write from one of these tabs, with its failure shown where it was asked for. */
function useAction(refresh: () => unknown) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
      void refresh();
    }
  };
  return { run, error, busy };
}

/**
 * The Groups tab: assignment groups (round robin) with their members, added and removed, and
 * whose turn is next (GET /lead-assignment/next-turns: read without advancing it, reps out of
 * office today passed over).
 */
export function AssignmentGroupsTab() {
  const groups = useOrderedRecords('assignment_group', 'name');
  const members = useOrderedRecords('assignment_group_member', 'name');
  const turns = useQuery({ queryKey: ['lead-assignment', 'next-turns'], queryFn: ({ signal }) => assignmentApi.nextTurns(signal) });
  const refresh = useRefresh();
  const action = useAction(refresh);
  const [name, setName] = useState('');
  if (groups.isPending || members.isPending) return <Loading />;
  if (groups.isError || members.isError) return <ErrorState error={groups.error ?? members.error} what="the assignment groups" />;
  const addGroup = async () => {
    if (await action.run(() => createRecord('assignment_group', { name: name.trim() }))) setName('');
  };
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed" maw={700}>The members of a group take turns with new leads (round robin), one after another; a member out of office is passed over without losing a turn.</Text>
      {action.error && <Alert color="red" title="Not saved">{action.error}</Alert>}
      <form onSubmit={(e) => { e.preventDefault(); if (name.trim()) void addGroup(); }}>
        <Group align="flex-end">
          <TextInput label="New group" placeholder="e.g. Inside sales" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Button type="submit" disabled={!name.trim()} loading={action.busy}>Add group</Button>
        </Group>
      </form>
      {groups.data.data.length === 0 && <Text>No groups yet.</Text>}
      {groups.data.data.map((g) => {
        const own = members.data.data.filter((m) => m.assignment_group === g.id);
        const next = turns.data?.data.find((t) => t.group === g.id)?.user;
        return (
          <Paper key={g.id} withBorder p="md" component="section" aria-label={`Group ${String(g.name)}`}>
            <Group justify="space-between" mb="xs">
              <Title order={2} size="h4">{String(g.name)}</Title>
              <Button size="xs" variant="default" color="red" onClick={() => void action.run(() => deleteRecord('assignment_group', g.id))}>Delete group</Button>
            </Group>
            <Text size="sm" mb="xs">{next ? <>Next lead goes to <strong>{next.name}</strong></> : own.length ? 'Nobody available today' : 'No members yet'}</Text>
            <List listStyleType="none" spacing={4} mb="sm" aria-label={`Members of ${String(g.name)}`}>
              {own.map((m) => {
                const who = nameOf(members.data.display, 'user', m.user);
                return (
                  <List.Item key={m.id}>
                    <Group gap="xs">
                      <Text size="sm">{who}</Text>
                      <CloseButton size="sm" aria-label={`Remove ${who} from ${String(g.name)}`} onClick={() => void action.run(() => deleteRecord('assignment_group_member', m.id))} />
                    </Group>
                  </List.Item>
                );
              })}
            </List>
            <AddMember groupName={String(g.name)} onAdd={(user) => action.run(() => createRecord('assignment_group_member', { assignment_group: g.id, user }))} />
          </Paper>
        );
      })}
    </Stack>
  );
}

function AddMember({ groupName, onAdd }: { groupName: string; onAdd: (user: string) => Promise<boolean> }) {
  const userField = useField('assignment_group_member', 'user');
  const [user, setUser] = useState<string | null>(null);
  if (!userField) return null;
  return (
    <Group align="flex-end">
      <LookupSelect field={userField} label={`Add a member to ${groupName}`} value={user} onChange={setUser} allowCreate={false} />
      <Button variant="default" disabled={!user} onClick={async () => { if (user && (await onAdd(user))) setUser(null); }}>Add member</Button>
    </Group>
  );
}

/** The Out of office tab: current and upcoming absences (reps get no new leads on those days), added and removed. */
export function OutOfOfficeTab() {
  const today = todayInZone();
  const periods = useQuery({
    queryKey: ['lead-assignment', 'out_of_office', today],
    queryFn: ({ signal }) => queryAllRecords('out_of_office', { filter: { field: 'ends_on', op: 'gte', value: today }, sort: 'starts_on,ends_on' }, signal),
  });
  const refresh = useRefresh();
  const action = useAction(refresh);
  const userField = useField('out_of_office', 'user');
  const [user, setUser] = useState<string | null>(null);
  const [from, setFrom] = useState(today);
  const [until, setUntil] = useState(today);
  const [reason, setReason] = useState('');
  if (periods.isPending) return <Loading />;
  if (periods.isError) return <ErrorState error={periods.error} what="the absences" />;
  const add = async () => {
    if (await action.run(() => createRecord('out_of_office', { user, starts_on: from, ends_on: until, name: reason.trim() || null }))) {
      setUser(null);
      setReason('');
    }
  };
  const list = periods.data.data;
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed" maw={700}>A rep out of office gets no new leads on those days (from and until inclusive): every rule passes them over, and the next rule decides if nobody else is found.</Text>
      {action.error && <Alert color="red" title="Not saved">{action.error}</Alert>}
      {list.length === 0 ? <Text>Nobody is out of office today or later.</Text> : (
        <Table.ScrollContainer minWidth={480}>
          <Table aria-label="Out of office" striped>
            <Table.Thead><Table.Tr><Table.Th>User</Table.Th><Table.Th>From</Table.Th><Table.Th>Until</Table.Th><Table.Th>Reason</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {list.map((p) => {
                const who = nameOf(periods.data.display, 'user', p.user);
                return (
                  <Table.Tr key={p.id}>
                    <Table.Th scope="row" fw={500}>{who}{String(p.starts_on) <= today ? ' (away now)' : ''}</Table.Th>
                    <Table.Td>{formatDate(String(p.starts_on))}</Table.Td>
                    <Table.Td>{formatDate(String(p.ends_on))}</Table.Td>
                    <Table.Td>{String(p.name ?? '')}</Table.Td>
                    <Table.Td><Button size="xs" variant="default" aria-label={`Remove ${who}'s absence from ${String(p.starts_on)}`} onClick={() => void action.run(() => deleteRecord('out_of_office', p.id))}>Remove</Button></Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Paper withBorder p="md" component="form" aria-labelledby="ooo-add" onSubmit={(e) => { e.preventDefault(); void add(); }}>
        <Title order={2} size="h4" id="ooo-add" mb="xs">Add an absence</Title>
        <Group align="flex-end" wrap="wrap">
          {userField && <LookupSelect field={userField} label="User" required value={user} onChange={setUser} allowCreate={false} />}
          <TextInput type="date" label="From" required value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={170} />
          <TextInput type="date" label="Until" required value={until} onChange={(e) => setUntil(e.currentTarget.value)} w={170} />
          <TextInput label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          <Button type="submit" disabled={!user || !from || !until} loading={action.busy}>Add absence</Button>
        </Group>
      </Paper>
    </Stack>
  );
}
