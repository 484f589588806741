import { useMemo, useState } from 'react';
import { ActionIcon, Alert, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage } from '../../api/client';
import { salesApi, type Money, type TreeNode } from '../../api/sales';
import type { ListResult } from '../../api/types';
import { formatCurrency, formatNumber } from '../../lib/format';
import { AnchorLink } from '../../components/links';
import { Loading } from '../../components/PageState';

const HIDDEN = '—';
const money = (m: Money[] | null) => (m === null ? HIDDEN : m.length ? m.map((x) => formatCurrency(x.amount, x.currency)).join(' + ') : formatCurrency(0));
const count = (n: number | null) => (n === null ? HIDDEN : formatNumber(n));

/** Roll-ups over the account's subtree as stat cards. */
export function AccountRollup({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['rollup', id], queryFn: () => salesApi.rollup(id) });
  if (q.isLoading) return <Loading label="Loading roll-ups" />;
  if (q.error || !q.data) return <Alert color="red" role="alert">{errorMessage(q.error)}</Alert>;
  const r = q.data;
  const cards = [
    { label: 'Open pipeline', value: money(r.openPipeline), note: `${count(r.openOpportunities)} open, weighted ${money(r.weightedPipeline)}` },
    { label: 'Won revenue', value: money(r.won), note: `${count(r.wonOpportunities)} won` },
    { label: 'Contacts', value: count(r.contacts), note: 'In this account and below' },
    { label: 'Accounts in subtree', value: formatNumber(r.accounts), note: 'This account included' },
  ];
  return (
    <section aria-labelledby="rollup-title">
      <Title order={2} size="h4" mb="sm" id="rollup-title">Roll-ups</Title>
      <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }}>
        {cards.map((c) => (
          <Paper withBorder p="sm" key={c.label} data-stat={c.label}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>{c.label}</Text>
            <Text size="xl" fw={700}>{c.value}</Text>
            <Text size="xs" c="dimmed">{c.note}</Text>
          </Paper>
        ))}
      </SimpleGrid>
    </section>
  );
}

/**
 * The account hierarchy below (and including) this account, each node a link. It opens with this
 * account and its direct children; deeper levels open on demand, so a large group stays readable.
 */
export function AccountTree({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['account-tree', id], queryFn: () => salesApi.tree(id) });
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const nodes = q.data?.nodes ?? [];
  const children = useMemo(() => {
    const m = new Map<string | null, TreeNode[]>();
    for (const n of nodes) {
      const parent = n.depth === 0 ? null : n.parent_account;
      m.set(parent, [...(m.get(parent) ?? []), n]);
    }
    return m;
  }, [nodes]);
  if (q.isLoading) return <Loading label="Loading account tree" />;
  if (q.error) return <Alert color="red" role="alert">{errorMessage(q.error)}</Alert>;

  const toggle = (nid: string) => setExpanded((s) => {
    const next = new Set(s);
    if (next.has(nid)) next.delete(nid);
    else next.add(nid);
    return next;
  });
  const render = (list: TreeNode[], level: number): React.ReactNode => (
    <ul aria-label={level === 1 ? 'Account hierarchy' : undefined} className="account-tree">
      {list.map((n) => {
        const kids = children.get(n.id) ?? [];
        const open = n.depth === 0 || expanded.has(n.id);
        return (
          <li key={n.id} data-depth={n.depth}>
            <Group gap={4} wrap="nowrap">
              {kids.length > 0 ? (
                <UnstyledButton onClick={() => toggle(n.id)} aria-label={`Children of ${n.name}`} aria-expanded={open} className="tree-toggle">{open ? '▾' : '▸'}</UnstyledButton>
              ) : <span className="tree-toggle" aria-hidden>•</span>}
              {n.id === id ? <Text fw={700} size="sm" aria-current="page">{n.name}</Text> : <AnchorLink size="sm" to="/o/$object/$id" params={{ object: 'account', id: n.id }} search={{ tab: undefined }}>{n.name}</AnchorLink>}
            </Group>
            {kids.length > 0 && open && render(kids, level + 1)}
          </li>
        );
      })}
    </ul>
  );
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tree-title">
      <Title order={2} size="h4" mb="sm" id="tree-title">Account hierarchy</Title>
      {nodes.length <= 1 && <Text size="sm" c="dimmed">No child accounts.</Text>}
      {nodes.length > 1 && render(children.get(null) ?? [], 1)}
      {q.data?.truncated && <Text size="xs" c="dimmed">Only the first levels are shown.</Text>}
    </Paper>
  );
}

/** Record team (account team): users with a role and read/edit access. */
export function TeamPanel({ object, id }: { object: string; id: string }) {
  const qc = useQueryClient();
  const key = ['team', object, id];
  const team = useQuery({ queryKey: key, queryFn: () => salesApi.team(object, id) });
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.get<ListResult>('/users?limit=200').then((r) => r.data) });
  const [userId, setUserId] = useState<string | null>(null);
  const [role, setRole] = useState<string | null>('sales_rep');
  const [access, setAccess] = useState<string | null>('edit');
  const nameOf = (uid: string) => String(users.data?.find((u) => u.id === uid)?.full_name ?? uid);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!userId) return;
    try {
      await salesApi.addTeamMember(object, id, { userId, teamRole: role ?? 'member', access: (access as 'read' | 'edit') ?? 'edit' });
      setUserId(null);
      void qc.invalidateQueries({ queryKey: key });
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    }
  };
  const remove = async (uid: string) => {
    try {
      await salesApi.removeTeamMember(object, id, uid);
      void qc.invalidateQueries({ queryKey: key });
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    }
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="team-title">
      <Title order={2} size="h4" mb="sm" id="team-title">Team</Title>
      <Stack gap="sm">
        {team.error && <Alert color="red" role="alert">{errorMessage(team.error)}</Alert>}
        {team.data?.length === 0 && <Text size="sm" c="dimmed">Nobody on the team yet.</Text>}
        {(team.data?.length ?? 0) > 0 && (
          <Table aria-label="Team members">
            <Table.Thead><Table.Tr><Table.Th>User</Table.Th><Table.Th>Role</Table.Th><Table.Th>Access</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {team.data!.map((m) => (
                <Table.Tr key={m.userId}>
                  <Table.Td>{nameOf(m.userId)}</Table.Td>
                  <Table.Td>{m.teamRole ? m.teamRole.replace(/_/g, ' ') : '—'}</Table.Td>
                  <Table.Td>{m.access}</Table.Td>
                  <Table.Td><ActionIcon variant="subtle" color="red" aria-label={`Remove ${nameOf(m.userId)} from the team`} onClick={() => void remove(m.userId)}>×</ActionIcon></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <form onSubmit={add}>
          <Stack gap="xs">
            <Select label="Team member" searchable data={(users.data ?? []).filter((u) => u.active !== false).map((u) => ({ value: u.id, label: String(u.full_name ?? u.email ?? u.id) }))} value={userId} onChange={setUserId} />
            <Group grow>
              <Select label="Team role" data={['sales_rep', 'backup_pm', 'support', 'production', 'finance', 'other'].map((v) => ({ value: v, label: v.replace(/_/g, ' ') }))} value={role} onChange={setRole} />
              <Select label="Access" data={[{ value: 'edit', label: 'Read/write' }, { value: 'read', label: 'Read only' }]} value={access} onChange={setAccess} />
            </Group>
            <Button type="submit" variant="light" disabled={!userId}>Add to team</Button>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}
