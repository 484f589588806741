import { useMemo, type CSSProperties } from 'react';
import { Checkbox, Table } from '@mantine/core';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type RowSelectionState } from '@tanstack/react-table';
import type { DisplayMap, FieldDef, ObjectDef, RecordData } from '../../api/types';
import { fieldOf, recordTitle } from '../../api/metadata';
import { InlineCell } from './InlineCell';
import { AnchorLink } from '../../components/links';
import { useRovingRows } from '../../lib/useRovingRows';

/** What a list page hands to the way it shows its rows (this table, or the cards at phone width). */
export interface ListRowsProps {
  object: ObjectDef;
  rows: RecordData[];
  display: DisplayMap;
  columns: string[];
  sort: string;
  onSort: (sort: string) => void;
  selection: RowSelectionState;
  onSelectionChange: (s: RowSelectionState) => void;
}

interface Props extends ListRowsProps {
  onRowSaved: (r: RecordData, refetch: boolean) => void;
}

/** Next sort for a header click: ascending → descending → none. */
function nextSort(current: string, field: string) {
  if (current === field) return `-${field}`;
  if (current === `-${field}`) return '';
  return field;
}

/** The list grid: TanStack Table over metadata columns, sortable headers, selectable rows, inline cells. */
export function RecordTable({ object, rows, display, columns, sort, onSort, selection, onSelectionChange, onRowSaved }: Props) {
  const nameOf = (r: RecordData) => recordTitle(object, r);
  const defs = useMemo<ColumnDef<RecordData>[]>(() => {
    const select: ColumnDef<RecordData> = {
      id: '_select',
      header: ({ table }) => (
        <Checkbox
          aria-label="Select all loaded rows"
          checked={table.getIsAllRowsSelected()}
          indeterminate={table.getIsSomeRowsSelected()}
          onChange={table.getToggleAllRowsSelectedHandler()}
        />
      ),
      cell: ({ row }) => <Checkbox aria-label={`Select ${nameOf(row.original)}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />,
    };
    const cols: ColumnDef<RecordData>[] = columns
      .map((name) => fieldOf(object, name))
      .filter((f) => f !== undefined)
      .map((f) => ({
        id: f.apiName,
        header: f.label,
        cell: ({ row }) =>
          f.apiName === object.nameField ? (
            <AnchorLink to="/o/$object/$id" params={{ object: object.apiName, id: row.original.id }} search={{ tab: undefined }} size="sm" fw={500}>
              {nameOf(row.original)}
            </AnchorLink>
          ) : (
            <InlineCell object={object.apiName} field={f} row={row.original} display={display} onSaved={onRowSaved} recordName={nameOf(row.original)} />
          ),
      }));
    return [select, ...cols];
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [object, columns, display, onRowSaved]);

  const table = useReactTable({
    data: rows,
    columns: defs,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
    state: { rowSelection: selection },
    enableRowSelection: true,
    onRowSelectionChange: (u) => onSelectionChange(typeof u === 'function' ? u(selection) : u),
    manualSorting: true,
  });

  const roving = useRovingRows();

  return (
    <div className="list-table-wrap">
      <Table className="list-table" striped highlightOnHover verticalSpacing="xs" stickyHeader aria-label={`${object.pluralLabel} list`}>
        <Table.Thead>
          {table.getHeaderGroups().map((hg) => (
            <Table.Tr key={hg.id}>
              {hg.headers.map((h) => {
                if (h.column.id === '_select') return <Table.Th key={h.id} w={40}>{flexRender(h.column.columnDef.header, h.getContext())}</Table.Th>;
                const dir = sort === h.column.id ? 'ascending' : sort === `-${h.column.id}` ? 'descending' : 'none';
                return (
                  <Table.Th key={h.id} aria-sort={dir} style={headerStyle(fieldOf(object, h.column.id), object)}>
                    <button type="button" className="sort-button" onClick={() => onSort(nextSort(sort, h.column.id))}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span aria-hidden>{dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : ''}</span>
                    </button>
                  </Table.Th>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Thead>
        {/* One tab stop for all rows; arrows move inside (lib/useRovingRows.ts). */}
        <Table.Tbody ref={roving.ref} onKeyDown={roving.onKeyDown} onFocus={roving.onFocus}>
          {table.getRowModel().rows.map((row) => (
            <Table.Tr key={row.id} data-record-id={row.id} data-selected={row.getIsSelected() || undefined}>
              {row.getVisibleCells().map((cell) => (
                <Table.Td key={cell.id} data-column={cell.column.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

/** Minimum column widths by field type: short for flags, numbers and dates, wider for names and text. */
const WIDTH: Partial<Record<string, number>> = {
  boolean: 80, number: 100, percent: 90, currency: 130, date: 115, datetime: 170, picklist: 130, multi_picklist: 160,
  user: 160, lookup: 180, phone: 140, email: 200, url: 180, text: 180, autonumber: 110,
};

/** Long labels wrap rather than widen a column of short values ("Reminder (minutes before)"). */
function headerStyle(field: FieldDef | undefined, object: ObjectDef): CSSProperties {
  if (!field) return { whiteSpace: 'nowrap' };
  const minWidth = field.apiName === object.nameField ? 220 : (WIDTH[field.type] ?? 140);
  return { minWidth, whiteSpace: field.label.length > 16 ? 'normal' : 'nowrap' };
}
