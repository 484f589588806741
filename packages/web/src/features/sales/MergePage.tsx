import { useMemo, useState } from 'react';
import { Alert, Badge, Button, Checkbox, Group, Paper, Radio, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { errorMessage } from '../../api/client';
import { isEditable, isSystemField, useMetadata, recordTitle } from '../../api/metadata';
import { getRecord } from '../../api/records';
import { salesApi } from '../../api/sales';
import type { ObjectDef, RecordData } from '../../api/types';
import { FieldValue } from '../../components/FieldValue';
import { Loading } from '../../components/PageState';
import { NotFound } from '../../components/NotFound';
import { AnchorLink } from '../../components/links';
import { isEmptyValue } from '../../lib/format';

export function MergePage({ object, ids }: { object: string; ids: string[] }) {
  const { byName, isLoading } = useMetadata();
  const def = byName(object);
  if (isLoading) return <Loading />;
  if (!def || !def.mergeable) return <NotFound what="object" />;
  return <MergeView object={def} initialIds={ids} />;
}

/**
 * Merge screen: pick the records (from the likely-duplicate pairs or the record page), the
 * master, and per field whose value to keep; POST /{object}/merge.
 */
function MergeView({ object, initialIds }: { object: ObjectDef; initialIds: string[] }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [ids, setIds] = useState<string[]>(initialIds);
  const [master, setMaster] = useState<string | null>(initialIds[0] ?? null);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pairs = useQuery({ queryKey: ['duplicates', object.apiName], queryFn: () => salesApi.duplicates(object.apiName) });
  const records = useQueries({ queries: ids.map((id) => ({ queryKey: ['record', object.apiName, id], queryFn: () => getRecord(object.apiName, id) })) });
  const loaded = records.map((r) => r.data).filter((r): r is RecordData & { _display?: Record<string, Record<string, string>> } => !!r);
  const label = object.label.toLowerCase();
  const nameOf = (r: RecordData) => recordTitle(object, r);
  const fields = useMemo(() => object.fields.filter((f) => isEditable(f) && !isSystemField(f)), [object]);
  const masterId = master && ids.includes(master) ? master : ids[0] ?? null;
  // By default the master's value wins; where the master is empty, the first record with a value.
  const chosen = (field: string) => {
    if (choices[field]) return choices[field]!;
    const m = loaded.find((r) => r.id === masterId);
    if (m && isEmptyValue(m[field])) return loaded.find((r) => !isEmptyValue(r[field]))?.id ?? masterId ?? '';
    return masterId ?? '';
  };
  const differs = (field: string) => new Set(loaded.map((r) => JSON.stringify(r[field] ?? null))).size > 1;

  const usePair = (pairIds: string[]) => {
    setIds(pairIds);
    setMaster(pairIds[0]!);
    setChoices({});
  };
  const toggle = (id: string, on: boolean) => setIds((old) => (on ? [...old, id] : old.filter((x) => x !== id)));

  const merge = async () => {
    if (!masterId) return;
    setBusy(true);
    setError(null);
    try {
      const fieldChoices: Record<string, string> = {};
      for (const f of fields) if (differs(f.apiName)) fieldChoices[f.apiName] = chosen(f.apiName);
      await salesApi.merge(object.apiName, { masterId, duplicateIds: ids.filter((x) => x !== masterId), fieldChoices });
      void qc.invalidateQueries({ queryKey: ['records', object.apiName] });
      void qc.invalidateQueries({ queryKey: ['duplicates', object.apiName] });
      void qc.invalidateQueries({ queryKey: ['record', object.apiName, masterId] });
      notifications.show({ color: 'green', message: `${ids.length} ${object.pluralLabel.toLowerCase()} merged` });
      navigate({ to: '/o/$object/$id', params: { object: object.apiName, id: masterId }, search: { tab: undefined } });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <Title order={1}>Merge {object.pluralLabel.toLowerCase()}</Title>
      <Paper withBorder p="md" component="section" aria-labelledby="pairs-title">
        <Title order={2} size="h4" id="pairs-title" mb="xs">Likely duplicates</Title>
        {pairs.isLoading && <Loading label="Loading duplicates" />}
        {pairs.error && <Alert color="red" role="alert">{errorMessage(pairs.error)}</Alert>}
        {pairs.data?.length === 0 && <Text size="sm" c="dimmed">No likely duplicates found.</Text>}
        <Stack gap={6}>
          {pairs.data?.map((p) => (
            <Group key={p.records.map((r) => r.id).join()} gap="sm">
              <Button size="compact-sm" variant="light" onClick={() => usePair(p.records.map((r) => r.id))} aria-label={`Compare ${p.records.map((r) => r.name).join(' and ')}`}>Compare</Button>
              <Text size="sm">{p.records.map((r) => r.name).join(' · ')}</Text>
              <Badge variant="light" color="gray">{p.rules.join(', ').replace(/_/g, ' ')} · {Math.round(p.score * 100)}%</Badge>
            </Group>
          ))}
        </Stack>
      </Paper>
      {ids.length < 2 && <Text c="dimmed">Choose a pair above, or open a duplicate warning's candidates, to compare at least two {object.pluralLabel.toLowerCase()}.</Text>}
      {ids.length >= 2 && loaded.length < ids.length && <Loading label="Loading records" />}
      {ids.length >= 2 && loaded.length === ids.length && (
        <Paper withBorder p="md" component="section" aria-labelledby="compare-title">
          <Title order={2} size="h4" id="compare-title" mb="xs">Choose the values to keep</Title>
          {error && <Alert color="red" role="alert" mb="sm" title="Not merged">{error}</Alert>}
          <div className="list-table-wrap">
            <Table aria-label={`Compare ${object.pluralLabel.toLowerCase()}`} withColumnBorders>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Field</Table.Th>
                  {loaded.map((r) => (
                    <Table.Th key={r.id}>
                      <Stack gap={4}>
                        <AnchorLink to="/o/$object/$id" params={{ object: object.apiName, id: r.id }} search={{ tab: undefined }}>{nameOf(r)}</AnchorLink>
                        <Radio name="merge-master" value={r.id} checked={masterId === r.id} onChange={() => setMaster(r.id)} label={`Master ${label}`} aria-label={`Keep ${nameOf(r)} as the master`} />
                        <Checkbox size="xs" checked label="Include" onChange={(e) => toggle(r.id, e.currentTarget.checked)} aria-label={`Include ${nameOf(r)}`} />
                      </Stack>
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {fields.map((f) => {
                  const diff = differs(f.apiName);
                  return (
                    <Table.Tr key={f.apiName} data-field={f.apiName}>
                      <Table.Th scope="row" fw={diff ? 700 : 400}>{f.label}</Table.Th>
                      {loaded.map((r) => (
                        <Table.Td key={r.id}>
                          {diff ? (
                            <Radio
                              name={`merge-${f.apiName}`}
                              value={r.id}
                              checked={chosen(f.apiName) === r.id}
                              onChange={() => setChoices((c) => ({ ...c, [f.apiName]: r.id }))}
                              aria-label={`${f.label} from ${nameOf(r)}`}
                              label={<FieldValue field={f} value={r[f.apiName]} record={r} display={r._display} />}
                            />
                          ) : (
                            <FieldValue field={f} value={r[f.apiName]} record={r} display={r._display} />
                          )}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
          <Group justify="flex-end" mt="md">
            <Text size="sm" c="dimmed">The other records go to the recycle bin; everything that pointed to them moves to the master.</Text>
            <Button onClick={() => void merge()} loading={busy} disabled={!masterId}>Merge {ids.length} {object.pluralLabel.toLowerCase()}</Button>
          </Group>
        </Paper>
      )}
    </Stack>
  );
}
