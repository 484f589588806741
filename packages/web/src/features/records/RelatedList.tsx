import { useState } from 'react';
import { Button, Group, Modal, Paper, Table, Text, Title } from '@mantine/core';
import { FormModal } from '../../components/FormModal';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { defaultColumns, fieldOf } from '../../api/metadata';
import { queryRecords } from '../../api/records';
import type { Condition, FieldDef, ObjectDef } from '../../api/types';
import { FieldValue } from '../../components/FieldValue';
import { RecordForm } from '../../components/RecordForm';
import { AnchorLink, ButtonLink } from '../../components/links';

/** Every (object, lookup field) that points at `parent`. */
export function relatedListsOf(parent: ObjectDef, objects: ObjectDef[]) {
  const out: { object: ObjectDef; field: FieldDef }[] = [];
  for (const o of objects) for (const f of o.fields) if (f.type === 'lookup' && f.lookup?.object === parent.apiName) out.push({ object: o, field: f });
  return out;
}

/** Records of `child` whose `field` points to this record, with "New" prefilled and "View all". */
export function RelatedList({ parent, parentId, parentName, child, field }: { parent: ObjectDef; parentId: string; parentName: string; child: ObjectDef; field: FieldDef }) {
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const filter: Condition = { field: field.apiName, op: 'eq', value: parentId };
  const columns = defaultColumns(child).filter((c) => c !== field.apiName).slice(0, 4);
  const q = useQuery({
    queryKey: ['records', child.apiName, 'related', field.apiName, parentId],
    queryFn: () => queryRecords(child.apiName, { filter, limit: 10, display: true, sort: '-created_at' }),
  });
  const title = child.fields.filter((f) => f.type === 'lookup' && f.lookup?.object === parent.apiName).length > 1 ? `${child.pluralLabel} (${field.label})` : child.pluralLabel;
  const rows = q.data?.data ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">{title}{q.data ? ` (${rows.length}${q.data.nextCursor ? '+' : ''})` : ''}</Title>
        <Group gap="xs">
          <Button size="compact-sm" variant="default" onClick={() => setCreating(true)}>New</Button>
          <ButtonLink size="compact-sm" variant="subtle"  to="/o/$object" params={{ object: child.apiName }} search={{ view: undefined, filter: JSON.stringify(filter) }}>View all</ButtonLink>
        </Group>
      </Group>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">{q.isLoading ? 'Loading…' : 'None yet.'}</Text>
      ) : (
        <div className="list-table-wrap">
          <Table verticalSpacing={4} aria-label={title}>
            <Table.Thead>
              <Table.Tr>{columns.map((c) => <Table.Th key={c}>{fieldOf(child, c)?.label}</Table.Th>)}</Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.id}>
                  {columns.map((c) => (
                    <Table.Td key={c}>
                      {c === child.nameField ? (
                        <AnchorLink to="/o/$object/$id" params={{ object: child.apiName, id: r.id }} search={{ tab: undefined }} size="sm">{String(r[c] ?? r.id)}</AnchorLink>
                      ) : (
                        <FieldValue field={fieldOf(child, c)!} value={r[c]} record={r} display={q.data?.display} />
                      )}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      <FormModal opened={creating} onClose={() => setCreating(false)} title={`New ${child.label.toLowerCase()}`} size="lg">
        {creating && (
          <RecordForm
            object={child}
            defaults={{ [field.apiName]: parentId }}
            display={{ [parent.apiName]: { [parentId]: parentName } }}
            guard={false}
            onCancel={() => setCreating(false)}
            onSaved={() => {
              setCreating(false);
              void qc.invalidateQueries({ queryKey: ['records', child.apiName] });
              void qc.invalidateQueries({ queryKey: ['records', parent.apiName, parentId, 'related-counts'] });
            }}
          />
        )}
      </FormModal>
    </Paper>
  );
}
