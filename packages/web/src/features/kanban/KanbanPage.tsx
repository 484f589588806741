import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, Loader, Menu, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { errorMessage } from '../../api/client';
import { activeValues, defaultColumns, fieldOf, isSystemField, useMetadata, recordTitle } from '../../api/metadata';
import { countRecords, queryRecords, updateRecord } from '../../api/records';
import type { Condition, DisplayMap, FieldDef, ListResult, ObjectDef, RecordData } from '../../api/types';
import { FieldValue } from '../../components/FieldValue';
import { formatNumber } from '../../lib/format';
import { Loading } from '../../components/PageState';
import { NotFound } from '../../components/NotFound';
import { AnchorLink, ButtonLink } from '../../components/links';
import { boardExtensionsFor, type ColumnSummary } from '../../lib/extensions';

const NONE = '__none__';

/** Default grouping field: opportunity → stage, else a required picklist, else the first picklist. */
export function defaultBoardField(o: ObjectDef): FieldDef | undefined {
  const picklists = o.fields.filter((f) => f.type === 'picklist' && !isSystemField(f));
  return picklists.find((f) => f.apiName === 'stage') ?? picklists.find((f) => f.apiName === 'status') ?? picklists.find((f) => f.required) ?? picklists[0];
}

export function KanbanPage({ object, field }: { object: string; field?: string }) {
  const { byName, isLoading } = useMetadata();
  const def = byName(object);
  if (isLoading) return <Loading />;
  if (!def) return <NotFound what="object" />;
  const f = (field && def.fields.find((x) => x.apiName === field && x.type === 'picklist')) || defaultBoardField(def);
  if (!f) return <Text p="md">{def.pluralLabel} have no picklist field to group a board by.</Text>;
  return <Board object={def} field={f} />;
}

interface ColumnDef {
  value: string;
  label: string;
}

function Board({ object, field }: { object: ObjectDef; field: FieldDef }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [dragging, setDragging] = useState<{ record: RecordData; from: string } | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const picklists = object.fields.filter((f) => f.type === 'picklist' && !isSystemField(f));
  const columns: ColumnDef[] = [...activeValues(field).map((v) => ({ value: v.value, label: v.label })), ...(field.required ? [] : [{ value: NONE, label: 'No value' }])];
  // A card shows the list's default columns (the object's definition: a deal's close date, owner
  // and amount), less the name and the grouping field.
  const cardFields = defaultColumns(object).filter((c) => c !== object.nameField && c !== field.apiName).map((c) => fieldOf(object, c)).filter((f) => f !== undefined).slice(0, 4);
  const fields = ['id', 'version', object.nameField, field.apiName, ...cardFields.map((f) => f.apiName), ...(object.fields.some((f) => f.apiName === 'currency') ? ['currency'] : [])];
  const keyOf = (value: string) => ['records', object.apiName, 'board', field.apiName, value, fields];

  // A feature may take a move over (closing a deal asks for its outcome): lib/extensions.ts.
  const extensions = boardExtensionsFor(object.apiName);
  const takes = extensions.map((e) => e.useTakesMove(field));
  const [pending, setPending] = useState<{ move: { record: RecordData; from: string; to: string }; by: number } | null>(null);
  // Column headers: counts (and totals) from the server, over all records, not the cards loaded.
  const summaries = extensions.map((e) => e.useColumnSummaries?.(field));
  const hasSummaries = extensions.some((e) => e.useColumnSummaries);
  const summary = summaries.find((s) => s !== undefined);
  const refreshHeaders = () => {
    void qc.invalidateQueries({ queryKey: ['records', object.apiName, 'board-summary'] });
    void qc.invalidateQueries({ queryKey: ['records', object.apiName, 'board-count'] });
  };

  const move = async (record: RecordData, from: string, to: string) => {
    if (from === to) return;
    const by = takes.findIndex((t) => t({ record, from, to }));
    if (by >= 0) {
      setPending({ move: { record, from, to }, by });
      return;
    }
    const fromKey = keyOf(from);
    const toKey = keyOf(to);
    const moved = { ...record, [field.apiName]: to === NONE ? null : to };
    // Optimistic: take the card out of its column and put it on top of the target.
    qc.setQueryData<InfiniteData<ListResult>>(fromKey, (old) => old && { ...old, pages: old.pages.map((p) => ({ ...p, data: p.data.filter((r) => r.id !== record.id) })) });
    qc.setQueryData<InfiniteData<ListResult>>(toKey, (old) => old && { ...old, pages: old.pages.map((p, i) => (i === 0 ? { ...p, data: [moved, ...p.data] } : p)) });
    try {
      const saved = await updateRecord(object.apiName, record.id, { [field.apiName]: to === NONE ? null : to }, record.version);
      qc.setQueryData<InfiniteData<ListResult>>(toKey, (old) => old && { ...old, pages: old.pages.map((p) => ({ ...p, data: p.data.map((r) => (r.id === saved.id ? { ...r, ...saved } : r)) })) });
      void qc.invalidateQueries({ queryKey: ['record', object.apiName, record.id] });
      void qc.invalidateQueries({ queryKey: ['records', object.apiName, 'list'] });
      refreshHeaders();
    } catch (e) {
      // Refused: the card snaps back, and the reason is shown.
      qc.setQueryData<InfiniteData<ListResult>>(toKey, (old) => old && { ...old, pages: old.pages.map((p) => ({ ...p, data: p.data.filter((r) => r.id !== record.id) })) });
      qc.setQueryData<InfiniteData<ListResult>>(fromKey, (old) => old && { ...old, pages: old.pages.map((p, i) => (i === 0 ? { ...p, data: [record, ...p.data.filter((r) => r.id !== record.id)] } : p)) });
      notifications.show({ color: 'red', title: `${String(record[object.nameField] ?? '')} was not moved`, message: errorMessage(e), autoClose: 8000 });
      void qc.invalidateQueries({ queryKey: fromKey });
    }
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Title order={1}>{object.pluralLabel} by {field.label.toLowerCase()}</Title>
        <Group gap="xs">
          {picklists.length > 1 && (
            <Select
              aria-label="Group by"
              data={picklists.map((f) => ({ value: f.apiName, label: f.label }))}
              value={field.apiName}
              onChange={(v) => v && navigate({ to: '/o/$object/board', params: { object: object.apiName }, search: { field: v } })}
              allowDeselect={false}
              w={180}
              comboboxProps={{ withinPortal: true }}
            />
          )}
          <ButtonLink variant="default"  to="/o/$object" params={{ object: object.apiName }} search={{ view: undefined }}>List</ButtonLink>
          <ButtonLink to="/o/$object/new" params={{ object: object.apiName }}>New {object.label.toLowerCase()}</ButtonLink>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">Drag a card to another column, or use its ⋯ menu to move it.</Text>
      <div className="kanban" role="list" aria-label={`${object.pluralLabel} board`}>
        {columns.map((c) => (
          <BoardColumn
            key={c.value}
            object={object}
            field={field}
            column={c}
            columns={columns}
            fields={fields}
            cardFields={cardFields}
            queryKey={keyOf(c.value)}
            summary={summary?.get(c.value) ?? (summary ? { count: 0 } : undefined)}
            countFromServer={!hasSummaries}
            over={over === c.value}
            onDragEnter={() => dragging && setOver(c.value)}
            onDrop={() => {
              setOver(null);
              if (dragging) void move(dragging.record, dragging.from, c.value);
              setDragging(null);
            }}
            onDragStart={(record) => setDragging({ record, from: c.value })}
            onDragEnd={() => {
              setDragging(null);
              setOver(null);
            }}
            onMove={(record, to) => void move(record, c.value, to)}
          />
        ))}
      </div>
      {extensions.map((e, i) => (
        <e.MoveDialog key={i} object={object} field={field} move={pending?.by === i ? pending.move : null} onCancel={() => setPending(null)} onDone={(saved) => {
          if (pending) {
            void qc.invalidateQueries({ queryKey: keyOf(pending.move.from) });
            void qc.invalidateQueries({ queryKey: keyOf(String(saved[field.apiName] ?? pending.move.to)) });
          }
          void qc.invalidateQueries({ queryKey: ['record', object.apiName, saved.id] });
          void qc.invalidateQueries({ queryKey: ['records', object.apiName, 'list'] });
          refreshHeaders();
          setPending(null);
        }} />
      ))}
    </Stack>
  );
}

interface ColumnProps {
  object: ObjectDef;
  field: FieldDef;
  column: ColumnDef;
  columns: ColumnDef[];
  fields: string[];
  cardFields: FieldDef[];
  queryKey: unknown[];
  /** From a board extension (deal totals); when absent and countFromServer, the generic count. */
  summary: ColumnSummary | undefined;
  countFromServer: boolean;
  over: boolean;
  onDragEnter: () => void;
  onDrop: () => void;
  onDragStart: (r: RecordData) => void;
  onDragEnd: () => void;
  onMove: (r: RecordData, to: string) => void;
}

function BoardColumn({ object, field, column, columns, fields, cardFields, queryKey, summary, countFromServer, over, onDragEnter, onDrop, onDragStart, onDragEnd, onMove }: ColumnProps) {
  const filter: Condition = column.value === NONE ? { field: field.apiName, op: 'isNull', value: true } : { field: field.apiName, op: 'eq', value: column.value };
  const q = useInfiniteQuery({
    queryKey,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => queryRecords(object.apiName, { filter, fields, sort: '-updated_at', limit: 25, cursor: pageParam, display: true }, signal),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = (q.data?.pages ?? []).flatMap((p) => p.data);
  const counted = useQuery({
    queryKey: ['records', object.apiName, 'board-count', field.apiName, column.value],
    queryFn: () => countRecords(object.apiName, filter),
    enabled: countFromServer,
  });
  const count = summary?.count ?? (counted.data ? `${counted.data.exact ? '' : '~'}${formatNumber(counted.data.count)}` : `${rows.length}${q.hasNextPage ? '+' : ''}`);
  // Names of lookups from every column: a card moved here keeps its account's name.
  const qc = useQueryClient();
  const display: DisplayMap = {};
  for (const [, data] of qc.getQueriesData<InfiniteData<ListResult>>({ queryKey: ['records', object.apiName, 'board', field.apiName] })) {
    for (const p of data?.pages ?? []) for (const [o, names] of Object.entries(p.display ?? {})) display[o] = { ...display[o], ...names };
  }
  const headingId = `col-${column.value}`;
  return (
    <section
      className="kanban-column"
      role="listitem"
      aria-labelledby={headingId}
      data-column={column.value}
      data-over={over}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
      }}
      onDragEnter={onDragEnter}
      onDrop={(e) => {
        e.preventDefault();
        onDrop();
      }}
    >
      <div className="kanban-column-header" data-testid="column-header">
        <Group justify="space-between" wrap="nowrap" px={4}>
          <Title order={2} size="h6" id={headingId}>{column.label}</Title>
          <Badge variant="white" color="dark" size="sm" aria-label={`${count} ${object.pluralLabel.toLowerCase()}`}>{typeof count === 'number' ? formatNumber(count) : count}</Badge>
        </Group>
        {summary?.detail && <Text size="xs" c="dimmed" px={4}>{summary.detail}</Text>}
      </div>
      <Stack gap={6} role="list" aria-labelledby={headingId}>
        {q.isLoading && <Loader size="sm" aria-label={`Loading ${column.label}`} />}
        {rows.map((r) => (
          <Paper
            key={r.id}
            withBorder
            p="xs"
            shadow="xs"
            className="kanban-card"
            role="listitem"
            draggable
            data-record-id={r.id}
            onDragStart={(e) => {
              e.dataTransfer.setData('text/plain', r.id);
              e.dataTransfer.effectAllowed = 'move';
              onDragStart(r);
            }}
            onDragEnd={onDragEnd}
          >
            <Group justify="space-between" wrap="nowrap" align="flex-start" gap={4}>
              <AnchorLink to="/o/$object/$id" params={{ object: object.apiName, id: r.id }} search={{ tab: undefined }} size="sm" fw={600} draggable={false}>
                {recordTitle(object, r)}
              </AnchorLink>
              <MoveMenu name={String(r[object.nameField] ?? '')} targets={columns.filter((c) => c.value !== column.value)} onMove={(to) => onMove(r, to)} />
            </Group>
            {cardFields.filter((f) => r[f.apiName] !== null && r[f.apiName] !== undefined && r[f.apiName] !== '').map((f) => (
              <Group key={f.apiName} gap={6} wrap="nowrap">
                <Text size="xs" c="dimmed">{f.label}</Text>
                <FieldValue field={f} value={r[f.apiName]} record={r} display={display} />
              </Group>
            ))}
          </Paper>
        ))}
      </Stack>
      {/* Outside the list: a list holds only its items. */}
      {q.hasNextPage && <Button mt={6} size="compact-sm" variant="subtle" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>Load more</Button>}
    </section>
  );
}

/**
 * A card's "Move to" menu, mounted only once it is used: a board shows 25 cards per column, and a
 * Mantine Menu per card (floating-position hooks, context, listeners) was a large part of the
 * board's first paint. Until then the card has a plain button; clicking it (or Enter / Space)
 * mounts the menu opened, with focus in its items as usual.
 */
function MoveMenu({ name, targets, onMove }: { name: string; targets: ColumnDef[]; onMove: (to: string) => void }) {
  const [armed, setArmed] = useState(false);
  const trigger = (onClick?: () => void) => <ActionIcon size="sm" variant="subtle" aria-label={`Move ${name}`} onClick={onClick}>⋯</ActionIcon>;
  if (!armed) return trigger(() => setArmed(true));
  return (
    <Menu withinPortal position="bottom-end" defaultOpened>
      <Menu.Target>{trigger()}</Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Move to</Menu.Label>
        {targets.map((c) => (
          <Menu.Item key={c.value} onClick={() => onMove(c.value)}>{c.label}</Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
