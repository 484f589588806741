import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ActionIcon, Button, Group, Table } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { fieldOf, picklistLabel, useMetadata } from '../../api/metadata';
import { createRecord, queryAllRecords, updateRecord } from '../../api/records';
import type { Condition, DisplayMap, FieldDef, ObjectDef, RecordData } from '../../api/types';
import { filterableFields, operatorLabel } from '../../lib/conditions';
import { useApiForm } from '../../lib/useApiForm';
import { assignmentApi, type ReorderBody } from './assignmentApi';

/** The records of one assignment object in their order, with the display names of their lookups. */
export function useOrderedRecords(object: string, sort = 'sort_order,name') {
  return useQuery({ queryKey: ['lead-assignment', object], queryFn: ({ signal }) => queryAllRecords(object, { sort }, signal) });
}

/** Refreshes the page's lists (and the preview's inputs) after a write. */
export function useRefresh() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['lead-assignment'] });
}

/** A field of an assignment object (for pickers that take a FieldDef, e.g. LookupSelect). */
export function useField(object: string, name: string): FieldDef | undefined {
  const { byName } = useMetadata();
  const o = byName(object);
  return o ? fieldOf(o, name) : undefined;
}

export const nameOf = (display: DisplayMap | undefined, object: string, id: unknown) => (id ? display?.[object]?.[String(id)] ?? '—' : '—');

/**
 * Saving an editor's values through the record API (create, or update at the version read), on the
 * web app's one form path (useApiForm): the server's errors on the fields the editor shows appear
 * at them, the rest in `failure`, and focus goes to the first invalid field. Put `formRef` on the
 * <form>.
 */
export function useRecordSave(object: string, record: RecordData | undefined, onSaved: () => void, fields: readonly string[]) {
  const values = useRef<Record<string, unknown>>({});
  const form = useApiForm({
    fields,
    submit: () => (record ? updateRecord(object, record.id, values.current, record.version) : createRecord(object, values.current)),
    onSuccess: () => onSaved(),
  });
  const save = (next: Record<string, unknown>) => {
    values.current = next;
    form.onSubmit();
  };
  return { formRef: form.formRef, save, saving: form.pending, errors: form.errors, failure: form.summary };
}

/**
 * Move up / move down for an ordered list: the moved record swaps places with its neighbour and
 * the server renumbers the list 10, 20, 30 … in one request (POST /lead-assignment/reorder, all or
 * nothing; records already in place are not written). Focus
 * stays on the pressed button's record so the keyboard can keep moving it.
 */
export function useReorder(object: ReorderBody['object'], records: RecordData[], onDone: () => unknown) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [moved, setMoved] = useState<{ id: string; by: -1 | 1 } | null>(null);
  const move = async (index: number, by: -1 | 1) => {
    const target = index + by;
    if (target < 0 || target >= records.length) return;
    setMoved({ id: records[index]!.id, by });
    const list = [...records];
    [list[index], list[target]] = [list[target]!, list[index]!];
    setBusy(true);
    setError(null);
    try {
      await assignmentApi.reorder({ object, ids: list.map((r) => r.id) });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      await onDone();
      setBusy(false);
    }
  };
  return { move, busy, error, moved };
}

/**
 * The ↑ / ↓ buttons of one row. Once the list has its new order, the moved row's button of the
 * same direction has the focus again — or the other one, at the top or the bottom.
 */
export function MoveButtons({ id, name, index, count, reorder }: { id: string; name: string; index: number; count: number; reorder: ReturnType<typeof useReorder> }) {
  const upRef = useRef<HTMLButtonElement>(null);
  const downRef = useRef<HTMLButtonElement>(null);
  const { busy, moved, move } = reorder;
  const atTop = index === 0;
  const atBottom = index === count - 1;
  useEffect(() => {
    if (busy || moved?.id !== id) return;
    const up = moved.by === -1 ? !atTop : atBottom;
    (up ? upRef : downRef).current?.focus();
    // Only when a move has finished (the list re-read), not on every later change of the list.
  }, [busy]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Group gap={4} wrap="nowrap">
      <ActionIcon ref={upRef} variant="default" aria-label={`Move ${name} up`} disabled={busy || atTop} onClick={() => void move(index, -1)}>↑</ActionIcon>
      <ActionIcon ref={downRef} variant="default" aria-label={`Move ${name} down`} disabled={busy || atBottom} onClick={() => void move(index, 1)}>↓</ActionIcon>
    </Group>
  );
}

function valueInWords(field: FieldDef | undefined, value: unknown): string {
  const one = (v: unknown) => (field?.type === 'picklist' || field?.type === 'multi_picklist' ? picklistLabel(field, v) : String(v));
  if (Array.isArray(value)) return value.map(one).join(', ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return one(value);
}

/** A condition of the query language in words, e.g. "Country is US and Industry is any of Energy, Utilities". */
export function conditionInWords(condition: Condition | null, object: ObjectDef, byName: (n: string) => ObjectDef | undefined): string {
  if (!condition) return 'Every lead';
  const fields = filterableFields(object, byName);
  const words = (c: Condition): string => {
    if ('and' in c) return c.and.map(words).join(' and ');
    if ('or' in c) return c.or.map((x) => ('and' in x ? `(${words(x)})` : words(x))).join(' or ');
    if ('not' in c) return `not (${words(c.not)})`;
    if (!('field' in c)) return JSON.stringify(c);
    const pf = fields.find((f) => f.path === c.field);
    const label = pf?.label ?? c.field;
    if (c.op === 'isNull') return `${label} ${c.value === false ? 'is not empty' : 'is empty'}`;
    return `${label} ${pf ? operatorLabel(pf.field.type, c.op) : c.op} ${valueInWords(pf?.field, c.value)}`;
  };
  return words(condition);
}

export function parseCondition(text: unknown): Condition | null {
  try {
    return text ? (JSON.parse(String(text)) as Condition) : null;
  } catch {
    return null;
  }
}

/** "US, Canada" ⇄ ['US', 'Canada'] for the comma-separated text fields. */
export const toTags = (s: unknown) => String(s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
export const fromTags = (tags: string[]) => (tags.length ? tags.join(', ') : null);

/** The order a new record gets: after the last. */
export const nextOrder = (list: RecordData[]) => (list.length ? Math.max(...list.map((r) => Number(r.sort_order) || 0)) : 0) + 10;

/**
 * An ordered list of rules or territories: its place, its name (the row's header), the columns
 * the caller gives, and ↑ / ↓ and Edit.
 */
export function OrderedTable({ label, headers, records, reorder, cells, onEdit }: {
  label: string; headers: string[]; records: RecordData[]; reorder: ReturnType<typeof useReorder>;
  cells: (r: RecordData) => ReactNode[]; onEdit: (r: RecordData) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label={label} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Order</Table.Th><Table.Th>Name</Table.Th>
            {headers.map((h) => <Table.Th key={h}>{h}</Table.Th>)}
            <Table.Th><span className="sr-only">Actions</span></Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {records.map((r, i) => (
            <Table.Tr key={r.id}>
              <Table.Td>{i + 1}</Table.Td>
              <Table.Th scope="row" fw={500}>{String(r.name)}</Table.Th>
              {cells(r).map((c, k) => <Table.Td key={headers[k]}>{c}</Table.Td>)}
              <Table.Td>
                <Group gap={4} wrap="nowrap" justify="flex-end">
                  <MoveButtons id={r.id} name={String(r.name)} index={i} count={records.length} reorder={reorder} />
                  <Button size="xs" variant="default" aria-label={`Edit ${String(r.name)}`} onClick={() => onEdit(r)}>Edit</Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** An editor's Cancel and Save. */
export function EditorButtons({ saveLabel, saving, onCancel }: { saveLabel: string; saving: boolean; onCancel: () => void }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>Cancel</Button>
      <Button type="submit" loading={saving}>{saveLabel}</Button>
    </Group>
  );
}
