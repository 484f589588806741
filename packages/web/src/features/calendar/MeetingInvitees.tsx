import { Alert, Badge, Group, Paper, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { picklistLabel, fieldOf, useMetadata } from '../../api/metadata';
import { queryAllRecords } from '../../api/records';
import { AnchorLink } from '../../components/links';
import { Loading } from '../../components/PageState';

const RESPONSE_COLORS: Record<string, string> = { accepted: 'green', declined: 'red', tentative: 'yellow', needs_action: 'gray' };

/** Who is invited to a meeting (meeting_invitee): colleagues and contacts with their answers, on the meeting's page. */
export function MeetingInvitees({ id }: { id: string }) {
  const { byName } = useMetadata();
  const object = byName('meeting_invitee');
  const q = useQuery({
    queryKey: ['records', 'meeting_invitee', 'of-meeting', id],
    enabled: !!object,
    queryFn: ({ signal }) => queryAllRecords('meeting_invitee', { filter: { field: 'meeting', op: 'eq', value: id }, fields: ['id', 'name', 'user', 'contact', 'response'], sort: 'name' }, signal),
  });
  if (!object) return null;
  const response = fieldOf(object, 'response');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="invitees-title">
      <Title order={2} size="h4" mb="sm" id="invitees-title">Invitees</Title>
      {q.isLoading ? <Loading label="Loading invitees" /> : q.error ? <Alert color="red" role="alert">{errorMessage(q.error)}</Alert> : !q.data?.data.length ? (
        <Text size="sm" c="dimmed">Nobody is invited yet.</Text>
      ) : (
        <ul aria-label="Invitees" style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: 6 }}>
          {q.data.data.map((i) => (
            <li key={i.id}>
              <Group gap="xs" wrap="nowrap" justify="space-between">
                {typeof i.contact === 'string'
                  ? <AnchorLink size="sm" to="/o/$object/$id" params={{ object: 'contact', id: i.contact }} search={{ tab: undefined }}>{String(i.name ?? '')}</AnchorLink>
                  : <Text size="sm">{String(i.name ?? '')}</Text>}
                <Group gap={4} wrap="nowrap">
                  <Text size="xs" c="dimmed">{typeof i.contact === 'string' ? 'Contact' : 'Colleague'}</Text>
                  <Badge size="sm" variant="light" color={RESPONSE_COLORS[String(i.response)] ?? 'gray'}>{response ? picklistLabel(response, i.response) : String(i.response)}</Badge>
                </Group>
              </Group>
            </li>
          ))}
        </ul>
      )}
    </Paper>
  );
}
