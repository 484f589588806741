import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import { AnchorLink } from '../../components/links';
import { qualityApi } from './api';

const OBJECTS = ['contact', 'account', 'lead', 'opportunity'];

const scoreColor = (score: number) => (score >= 90 ? 'green' : score >= 70 ? 'yellow' : 'red');

/**
 * Data quality (issue 16 item 6): a score per owner for an object, and how many of their records
 * fail each check; every number opens the records behind it. Computed over the records and
 * fields the viewer may see, so a rep sees their own data's quality.
 */
export function DataQualityPage() {
  const { byName } = useMetadata();
  const [object, setObject] = useState('contact');
  const [drill, setDrill] = useState<{ check: string; label: string; owner: string | null } | null>(null);
  const q = useQuery({ queryKey: ['analytics', 'quality', object], queryFn: () => qualityApi.measure(object) });
  const def = byName(object);
  const objects = OBJECTS.filter((o) => byName(o));
  const ownerName = (id: string | null) => (id ? q.data?.owners[id] ?? 'Unknown user' : 'No owner');
  return (
    <Stack gap="md" maw={1200}>
      <Title order={1}>Data quality</Title>
      <Text size="sm">
        Each record scores the share of checks it passes: 40% for filling the recommended fields, 15% each for a valid e-mail, a valid phone, a change in the last year and no duplicate e-mail.
      </Text>
      <NativeSelect label="Object" value={object} onChange={(e) => setObject(e.currentTarget.value)} data={objects.map((o) => ({ value: o, label: byName(o)?.pluralLabel ?? o }))} maw={280} />
      {q.error && <Alert color="red">{errorMessage(q.error)}</Alert>}
      {!q.data && !q.error && <Text size="sm">Loading…</Text>}
      {q.data && (
        <>
          <Text size="sm">Recommended fields: {q.data.recommended.map((f) => f.label).join(', ') || 'none'}.</Text>
          <Table.ScrollContainer minWidth={720}>
            <Table striped aria-label={`Data quality of ${def?.pluralLabel ?? object} per owner`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Owner</Table.Th>
                  <Table.Th ta="right">Records</Table.Th>
                  {q.data.checks.map((c) => <Table.Th key={c.key} ta="right" title={c.description}>{c.label}</Table.Th>)}
                  <Table.Th ta="right">Score</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.data.rows.map((row) => (
                  <Table.Tr key={row.total ? 'total' : row.ownerId ?? 'none'} fw={row.total ? 700 : undefined}>
                    <Table.Td>{row.total ? 'Total' : ownerName(row.ownerId)}</Table.Td>
                    <Table.Td ta="right">{row.records}</Table.Td>
                    {q.data.checks.map((c) => {
                      const n = row.failing[c.key as keyof typeof row.failing];
                      return (
                        <Table.Td key={c.key} ta="right">
                          {n === 0 ? '0' : (
                            <Button variant="subtle" size="compact-sm" aria-label={`${c.label}: ${n} record(s) of ${row.total ? 'everyone' : ownerName(row.ownerId)}`}
                              onClick={() => setDrill({ check: c.key, label: c.label, owner: row.total ? null : row.ownerId })}>{n}</Button>
                          )}
                        </Table.Td>
                      );
                    })}
                    <Table.Td ta="right"><Badge color={scoreColor(row.score)} variant="light">{row.score.toFixed(1)}</Badge></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {q.data.rows.length === 1 && q.data.rows[0]!.records === 0 && <Text size="sm" c="dimmed">No {def?.pluralLabel.toLowerCase() ?? 'records'} you can see yet.</Text>}
        </>
      )}
      <Modal opened={!!drill} onClose={() => setDrill(null)} title={drill ? `${drill.label}: ${drill.owner ? ownerName(drill.owner) : 'everyone'}` : ''} size="lg">
        {drill && <QualityRecords object={object} check={drill.check} owner={drill.owner} />}
      </Modal>
    </Stack>
  );
}

function QualityRecords({ object, check, owner }: { object: string; check: string; owner: string | null }) {
  const { byName } = useMetadata();
  const def = byName(object);
  const q = useQuery({ queryKey: ['analytics', 'quality', object, check, owner], queryFn: () => qualityApi.records(object, check, owner) });
  if (q.error) return <Alert color="red">{errorMessage(q.error)}</Alert>;
  if (!q.data || !def) return <Text size="sm">Loading…</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm">{q.data.data.length}{q.data.nextCursor ? '+' : ''} record(s). Open one to fix it.</Text>
      <ul aria-label="Records behind the number">
        {q.data.data.map((r) => {
          const id = String(r.id);
          return <li key={id}><AnchorLink to="/o/$object/$id" params={{ object, id }} search={{ tab: undefined }}>{String(r[def.nameField] ?? id)}</AnchorLink></li>;
        })}
      </ul>
      <Group><Text size="xs" c="dimmed">Showing the first 50.</Text></Group>
    </Stack>
  );
}
