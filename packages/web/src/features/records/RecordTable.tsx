import { useMemo } from 'react';
import { Checkbox, Table } from '@mantine/core';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type RowSelectionState } from '@tanstack/react-table';
import type { DisplayMap, ObjectDef, RecordData } from '../../api/types';
import { fieldOf } from '../../api/metadata';
import { InlineCell } from './InlineCell';
import { AnchorLink } from '../../components/links';

interface Props {
  object: ObjectDef;
  rows: RecordData[];
  display: DisplayMap;
  columns: string[];
  sort: string;
  onSort: (sort: string) => void;
  selection: RowSelectionState;
  onSelectionChange: (s: RowSelectionState) => void;
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
  const nameOf = (r: RecordData) => String(r[object.nameField] ?? r.id);
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
                  <Table.Th key={h.id} aria-sort={dir} style={{ whiteSpace: 'nowrap' }}>
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
        <Table.Tbody>
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
