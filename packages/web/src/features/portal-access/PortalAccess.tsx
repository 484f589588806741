import { Alert, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { portalAccessApi } from '../../api/portalAccess';
import type { RecordSlotProps } from '../../lib/extensions';

const ACTIONS: Record<string, string> = {
  invited: 'Invited', revoked: 'Access revoked', link_requested: 'Asked for a sign-in link', signed_in: 'Signed in', signed_out: 'Signed out', viewed: 'Opened',
  quote_accepted: 'Accepted a quote', quote_declined: 'Declined a quote', profile_updated: 'Changed details', payment_started: 'Started a payment',
};
const when = (iso: string | null) => (iso ? new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—');

/** On a contact's page: their customer-portal access — invite (e-mails a sign-in link), revoke, and the access log. */
export function PortalAccess({ id }: RecordSlotProps) {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['portal-access', id], queryFn: () => portalAccessApi.get(id) });
  const onDone = (data: Awaited<ReturnType<typeof portalAccessApi.get>>) => client.setQueryData(['portal-access', id], data);
  const invite = useMutation({ mutationFn: () => portalAccessApi.invite(id), onSuccess: onDone });
  const revoke = useMutation({ mutationFn: () => portalAccessApi.revoke(id), onSuccess: onDone });
  if (q.error) return <Alert color="red" role="alert">{errorMessage(q.error)}</Alert>;
  if (!q.data) return null;
  const a = q.data;
  const error = invite.error ?? revoke.error;
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby="portal-access-title">
      <Stack gap="xs">
        <Title order={2} size="h5" id="portal-access-title">Portal access</Title>
        <Text size="sm">
          {a.state === 'granted' ? `Can sign in to the customer portal${a.lastSignInAt ? `; last signed in ${when(a.lastSignInAt)}` : ''}.` : a.state === 'revoked' ? `Access revoked ${when(a.revokedAt)}.` : 'Not invited to the customer portal.'}
          {a.activeSessions > 0 ? ` ${a.activeSessions} active session${a.activeSessions === 1 ? '' : 's'}.` : ''}
        </Text>
        <Group gap="xs">
          <Button size="xs" onClick={() => invite.mutate()} loading={invite.isPending} disabled={!a.email}>{a.state === 'granted' ? 'Send a new sign-in link' : 'Invite to the portal'}</Button>
          {a.state === 'granted' && <Button size="xs" color="red" variant="light" onClick={() => revoke.mutate()} loading={revoke.isPending}>Revoke access</Button>}
        </Group>
        {!a.email && <Text size="xs" c="dimmed">Add an e-mail address to invite this contact.</Text>}
        {invite.isSuccess && <Text size="xs" role="status">A sign-in link was e-mailed to {a.email}.</Text>}
        {error && <Alert color="red" role="alert">{errorMessage(error)}</Alert>}
        {a.log.length > 0 && (
          <Table.ScrollContainer minWidth={360} mah={260}>
            <Table fz="xs" aria-label="Portal access log">
              <Table.Thead><Table.Tr><Table.Th>When</Table.Th><Table.Th>What</Table.Th><Table.Th>IP</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {a.log.map((e) => (
                  <Table.Tr key={e.id}><Table.Td>{when(e.at)}</Table.Td><Table.Td>{ACTIONS[e.action] ?? e.action}{e.detail && e.action === 'viewed' ? ` ${e.detail.split(' ')[0]}` : ''}</Table.Td><Table.Td>{e.ip ?? ''}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
