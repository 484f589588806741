import { useEffect, useRef, useState } from 'react';
import { ActionIcon, Badge, Button, Group, Loader, Menu, Paper, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { fieldOf, picklistLabel, useMetadata } from '../../api/metadata';
import { mergeDisplay } from '../../api/records';
import type { DisplayMap, RecordData } from '../../api/types';
import { LookupSelect } from '../../components/LookupSelect';
import { NotFound } from '../../components/NotFound';
import { Loading } from '../../components/PageState';
import { AnchorLink, ButtonLink } from '../../components/links';
import type { BoardMove } from '../../lib/extensions';
import { formatCurrency, formatDate, formatNumber, recordCurrency } from '../../lib/format';
import { BOARD_STATUSES, ordersApi } from './api';
import { OrderMoveDialog } from './OrderMoveDialog';
import './orders.css';

const boardKey = ['records', 'order', 'production-board'];

/**
 * The production board (/orders/board): orders by status, each column counted by the server;
 * a card moves by dragging it or from its ⋯ menu (the keyboard's way), through the order's
 * commands — so a move the order's state forbids is refused with the reason and the card stays.
 * Filtered by production team: orders with a line of that team. Cancelled orders are folded away.
 */
export function ProductionBoardPage() {
  const { byName, isLoading } = useMetadata();
  const order = byName('order');
  const line = byName('order_line');
  const qc = useQueryClient();
  const [team, setTeam] = useState<string | null>(null);
  const [dragging, setDragging] = useState<{ record: RecordData; from: string } | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [pending, setPending] = useState<BoardMove | null>(null);
  // After a move from the keyboard, focus follows the card to its new column.
  const [refocus, setRefocus] = useState<{ id: string; column: string } | null>(null);
  if (isLoading) return <Loading />;
  const status = order && fieldOf(order, 'status');
  if (!order || !status) return <NotFound what="object" />;
  const teamField = line && fieldOf(line, 'team');
  const columns = BOARD_STATUSES.map((s) => ({ value: s, label: picklistLabel(status, s) }));
  const move = (record: RecordData, from: string, to: string, byKeyboard = false) => {
    if (from === to) return;
    if (byKeyboard) setRefocus({ id: record.id, column: to });
    setPending({ record, from, to });
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Title order={1}>Production board</Title>
        <Group gap="xs" wrap="wrap" align="flex-end">
          {teamField && (
            <div style={{ width: 220 }}>
              <LookupSelect field={teamField} aria-label="Production team" placeholder="All teams" value={team} onChange={setTeam} allowCreate={false} />
            </div>
          )}
          {team && <Button variant="subtle" onClick={() => setTeam(null)}>All teams</Button>}
          <ButtonLink variant="default" to="/o/$object" params={{ object: 'order' }} search={{ view: undefined }}>List</ButtonLink>
          <ButtonLink to="/o/$object/new" params={{ object: 'order' }}>New order</ButtonLink>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">Drag an order to another column, or use its ⋯ menu to move it. Orders move only as their status allows.</Text>
      <div className="kanban" role="list" aria-label="Production board">
        {columns.map((c) => (
          <BoardColumn key={c.value} status={c.value} label={c.label} columns={columns} team={team} over={over === c.value}
            movingId={pending?.from === c.value ? pending.record.id : null}
            focusId={!pending && refocus?.column === c.value ? refocus.id : null} onFocused={() => setRefocus(null)}
            onDragEnter={() => dragging && setOver(c.value)}
            onDrop={() => {
              setOver(null);
              if (dragging) move(dragging.record, dragging.from, c.value);
              setDragging(null);
            }}
            onDragStart={(record) => setDragging({ record, from: c.value })}
            onDragEnd={() => { setDragging(null); setOver(null); }}
            onMove={(record, to) => move(record, c.value, to, true)} />
        ))}
      </div>
      <OrderMoveDialog move={pending} onCancel={() => { setPending(null); setRefocus(null); }} onDone={(saved) => {
        void qc.invalidateQueries({ queryKey: boardKey });
        void qc.invalidateQueries({ queryKey: ['record', 'order', saved.id] });
        void qc.invalidateQueries({ queryKey: ['records', 'order', 'list'] });
        setPending(null);
      }} />
    </Stack>
  );
}

interface ColumnProps {
  status: string;
  label: string;
  columns: Array<{ value: string; label: string }>;
  team: string | null;
  over: boolean;
  /** The card being moved out of this column (shown busy until the server answers). */
  movingId: string | null;
  /** The card whose menu takes the focus once it shows here (moved from the keyboard). */
  focusId: string | null;
  onFocused: () => void;
  onDragEnter: () => void;
  onDrop: () => void;
  onDragStart: (r: RecordData) => void;
  onDragEnd: () => void;
  onMove: (r: RecordData, to: string) => void;
}

function BoardColumn({ status, label, columns, team, over, movingId, focusId, onFocused, onDragEnter, onDrop, onDragStart, onDragEnd, onMove }: ColumnProps) {
  // Cancelled orders are folded away: the column counts them and still takes a drop.
  const foldable = status === 'cancelled';
  const [open, setOpen] = useState(!foldable);
  const q = useInfiniteQuery({
    queryKey: [...boardKey, team, status],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => ordersApi.column(status, team, pageParam),
    getNextPageParam: (last) => last.columns[0]?.nextCursor ?? undefined,
  });
  const pages = q.data?.pages ?? [];
  const rows = pages.flatMap((p) => p.columns[0]?.data ?? []) as RecordData[];
  const display = pages.reduce<DisplayMap>((d, p) => mergeDisplay(d, p.display), {});
  const first = pages[0]?.columns[0];
  const count = first ? `${first.exact ? '' : '~'}${formatNumber(first.count)}` : '';
  const headingId = `orders-col-${status}`;
  return (
    <section className="kanban-column" role="listitem" aria-labelledby={headingId} data-column={status} data-over={over} data-folded={!open || undefined}
      onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }}
      onDragEnter={onDragEnter}
      onDrop={(e) => { e.preventDefault(); onDrop(); }}>
      <div className="kanban-column-header" data-testid="column-header">
        <Group justify="space-between" wrap="nowrap" px={4}>
          <Title order={2} size="h6" id={headingId}>{label}</Title>
          <Badge variant="white" color="dark" size="sm" aria-label={`${count} orders`}>{count}</Badge>
        </Group>
        {foldable && (
          <Button size="compact-xs" variant="subtle" mt={4} aria-expanded={open} onClick={() => setOpen((o) => !o)}>{open ? 'Hide cancelled orders' : 'Show cancelled orders'}</Button>
        )}
      </div>
      {open && (
        <Stack gap={6} role="list" aria-labelledby={headingId}>
          {q.isLoading && <Loader size="sm" aria-label={`Loading ${label}`} />}
          {rows.map((r) => (
            <OrderCard key={r.id} record={r} display={display} column={status} columns={columns} moving={movingId === r.id} focus={focusId === r.id} onFocused={onFocused}
              onDragStart={() => onDragStart(r)} onDragEnd={onDragEnd} onMove={(to) => onMove(r, to)} />
          ))}
        </Stack>
      )}
      {open && q.hasNextPage && <Button mt={6} size="compact-sm" variant="subtle" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>Load more</Button>}
    </section>
  );
}

function OrderCard({ record: r, display, column, columns, moving, focus, onFocused, onDragStart, onDragEnd, onMove }: {
  record: RecordData; display: DisplayMap; column: string; columns: Array<{ value: string; label: string }>; moving: boolean;
  focus: boolean; onFocused: () => void; onDragStart: () => void; onDragEnd: () => void; onMove: (to: string) => void;
}) {
  const menuRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!focus) return;
    menuRef.current?.focus();
    onFocused();
  }, [focus, onFocused]);
  const name = String(r.name ?? r.number ?? r.id);
  const account = typeof r.account === 'string' ? display.account?.[r.account] : undefined;
  const facts = [
    account && ['Account', account],
    r.po_number && ['PO', String(r.po_number)],
    typeof r.requested_date === 'string' && ['Requested', formatDate(r.requested_date)],
    typeof r.total === 'number' && ['Total', formatCurrency(r.total, recordCurrency(r))],
  ].filter((f): f is string[] => Array.isArray(f));
  return (
    <Paper withBorder p="xs" shadow="xs" className="kanban-card order-card" role="listitem" draggable={!moving} aria-busy={moving || undefined}
      data-record-id={r.id} data-order-card={r.id} data-dragging={moving || undefined}
      onDragStart={(e) => { e.dataTransfer.setData('text/plain', r.id); e.dataTransfer.effectAllowed = 'move'; onDragStart(); }}
      onDragEnd={onDragEnd}>
      <Group justify="space-between" wrap="nowrap" align="flex-start" gap={4}>
        <Group gap={6} wrap="wrap">
          <AnchorLink to="/o/$object/$id" params={{ object: 'order', id: r.id }} search={{ tab: undefined }} size="sm" fw={600} draggable={false}>{name}</AnchorLink>
          {r.on_hold === true && <Badge color="orange" variant="light" size="sm">On hold</Badge>}
        </Group>
        <Menu withinPortal position="bottom-end">
          <Menu.Target>
            <ActionIcon size="sm" variant="subtle" aria-label={`Move ${name}`} ref={menuRef} disabled={moving}>⋯</ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Move to</Menu.Label>
            {columns.filter((c) => c.value !== column).map((c) => <Menu.Item key={c.value} onClick={() => onMove(c.value)}>{c.label}</Menu.Item>)}
          </Menu.Dropdown>
        </Menu>
      </Group>
      <dl className="order-card-facts">
        {facts.map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
        ))}
      </dl>
    </Paper>
  );
}
