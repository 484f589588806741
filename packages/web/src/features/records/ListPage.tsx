import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Badge, Button, Collapse, Group, Loader, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import type { RowSelectionState } from '@tanstack/react-table';
import { errorMessage } from '../../api/client';
import { defaultColumns, useMetadata } from '../../api/metadata';
import { countRecords, deleteRecord } from '../../api/records';
import type { Condition, ObjectDef, RecordData } from '../../api/types';
import { viewsApi, type SavedView } from '../../api/views';
import { FilterBuilder } from '../../components/FilterBuilder';
import { ErrorState, Loading } from '../../components/PageState';
import { NotFound } from '../../components/NotFound';
import { useMe } from '../../lib/useMe';
import { BulkEditModal } from './BulkEditModal';
import { ColumnChooser } from './ColumnChooser';
import { ExportButtons } from '../exports/ExportButtons';
import { RecordTable } from './RecordTable';
import { RecordCards } from './RecordCards';
import { usePatchRowInCache, useRecordList } from './useRecordList';
import { ViewControls } from './ViewControls';
import { ButtonLink } from '../../components/links';
import { listExtensionsFor } from '../../lib/extensions';

export function ListPage({ object, viewId, filter: filterParam, sort: sortParam, q: qParam }: { object: string; viewId?: string; filter?: string; sort?: string; q?: string }) {
  const { byName, isLoading, error } = useMetadata();
  const def = byName(object);
  if (isLoading) return <Loading />;
  if (error) return <ErrorState error={error} />;
  if (!def) return <NotFound what="object" />;
  return <ObjectList object={def} viewId={viewId} url={{ filter: filterParam, sort: sortParam, q: qParam }} />;
}

/** What the URL carries for a list besides the view. */
interface ListUrl {
  filter?: string;
  sort?: string;
  q?: string;
}

function parseFilter(s: string | undefined): Condition | null {
  if (!s) return null;
  try {
    return JSON.parse(s) as Condition;
  } catch {
    return null;
  }
}

function ObjectList({ object, viewId, url }: { object: ObjectDef; viewId?: string; url: ListUrl }) {
  const me = useMe().data!;
  const views = useQuery({ queryKey: ['views', me.id, object.apiName], queryFn: () => viewsApi.list(object.apiName) });
  if (views.isLoading) return <Loading />;
  return <ObjectListBody object={object} views={views.data ?? []} viewId={viewId} url={url} />;
}

function ObjectListBody({ object, views, viewId, url }: { object: ObjectDef; views: SavedView[]; viewId?: string; url: ListUrl }) {
  const filterParam = url.filter;
  const me = useMe().data!;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const current = views.find((v) => v.id === viewId) ?? null;

  const [columns, setColumns] = useState<string[]>(() => (current?.columns.length ? current.columns : defaultColumns(object)));
  const [sort, setSort] = useState(() => url.sort ?? current?.sort ?? '');
  const [search, setSearch] = useState(url.q ?? '');
  const [debouncedSearch, setDebouncedSearch] = useState(search);
  useEffect(() => {
    const t = setTimeout(() => setDebouncedSearch(search.trim()), 300);
    return () => clearTimeout(t);
  }, [search]);
  const [filter, setFilter] = useState<Condition | null>(() => parseFilter(filterParam) ?? current?.filter ?? null);
  const [showFilter, setShowFilter] = useState(() => !!filterParam);
  const [selection, setSelection] = useState<RowSelectionState>({});
  // At phone width the list is cards (key fields on the first screen), not a sideways table.
  const phone = useMediaQuery('(max-width: 48em)', undefined, { getInitialValueInEffect: false });
  const [bulkEdit, setBulkEdit] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  // The list follows the filter being edited after a short pause; a chosen view applies at once.
  const [debouncedFilter, setDebouncedFilter] = useState<Condition | null>(filter);
  useEffect(() => {
    const t = setTimeout(() => setDebouncedFilter(filter), 300);
    return () => clearTimeout(t);
  }, [filter]);

  // Choosing a saved view applies its filter, sort and columns.
  const appliedView = useRef(current?.id ?? null);
  useEffect(() => {
    if ((current?.id ?? null) === appliedView.current) return;
    appliedView.current = current?.id ?? null;
    setColumns(current?.columns.length ? current.columns : defaultColumns(object));
    setSort(current?.sort ?? '');
    setFilter(current?.filter ?? null);
    setDebouncedFilter(current?.filter ?? null);
    setSelection({});
  }, [current, object]);

  // Filter, sort and search live in the URL too: written back as they change (replace, so Back
  // leaves the list), and read again when the URL changes from outside.
  const written = useRef(JSON.stringify([filterParam ?? null, url.sort ?? null, url.q ?? null]));
  useEffect(() => {
    const base = current ?? { filter: null, sort: '' };
    const own = JSON.stringify([debouncedFilter ?? null, sort]) !== JSON.stringify([base.filter ?? null, base.sort]);
    const next = { filter: own && debouncedFilter ? JSON.stringify(debouncedFilter) : undefined, sort: own && sort ? sort : undefined, q: debouncedSearch || undefined };
    const key = JSON.stringify([next.filter ?? null, next.sort ?? null, next.q ?? null]);
    if (key === written.current) return;
    written.current = key;
    navigate({ to: '/o/$object', params: { object: object.apiName }, search: { view: current?.id, ...next }, replace: true });
  }, [debouncedFilter, sort, debouncedSearch, current, navigate, object.apiName]);
  useEffect(() => {
    const key = JSON.stringify([filterParam ?? null, url.sort ?? null, url.q ?? null]);
    if (key === written.current) return;
    written.current = key;
    // Nothing in the URL: the view's own filter and sort (or none).
    const f = parseFilter(filterParam) ?? current?.filter ?? null;
    setFilter(f);
    setDebouncedFilter(f);
    if (filterParam) setShowFilter(true);
    setSort(url.sort ?? current?.sort ?? '');
    setSearch(url.q ?? '');
    setDebouncedSearch(url.q ?? '');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterParam, url.sort, url.q]);

  // The search box narrows the list by the record's name, on top of the filter.
  const effectiveFilter = useMemo<Condition | null>(() => {
    if (!debouncedSearch) return debouncedFilter;
    const byName: Condition = { field: object.nameField, op: 'contains', value: debouncedSearch };
    return debouncedFilter ? { and: [debouncedFilter, byName] } : byName;
  }, [debouncedFilter, debouncedSearch, object.nameField]);
  const list = useRecordList(object, { filter: effectiveFilter, sort, columns });
  const count = useQuery({
    queryKey: ['records', object.apiName, 'count', effectiveFilter],
    queryFn: () => countRecords(object.apiName, effectiveFilter ?? undefined),
    staleTime: 30_000,
  });
  const patchRow = usePatchRowInCache();
  const onRowSaved = useCallback(
    (r: RecordData, refetch: boolean) => {
      patchRow(list.key, r);
      if (refetch) void qc.invalidateQueries({ queryKey: list.key });
      void qc.invalidateQueries({ queryKey: ['record', object.apiName, r.id] });
    },
    [list.key, patchRow, qc, object.apiName],
  );

  // Infinite scroll: load the next keyset page when the sentinel comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && hasNextPage && !isFetchingNextPage) void fetchNextPage();
    }, { rootMargin: '400px' });
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const modified = useMemo(() => {
    const base = current ?? { filter: null, sort: '', columns: defaultColumns(object) };
    return JSON.stringify([base.filter ?? null, base.sort, base.columns]) !== JSON.stringify([filter ?? null, sort, columns]);
  }, [current, filter, sort, columns, object]);

  const selectedIds = Object.keys(selection).filter((k) => selection[k]);
  const hasPicklist = object.fields.some((f) => f.type === 'picklist');
  const filterCount = filter ? ('and' in filter ? filter.and.length : 'or' in filter ? filter.or.length : 1) : 0;

  const saveView = async (view: Omit<SavedView, 'id'> & { id?: string }) => {
    let saved: SavedView;
    try {
      saved = await viewsApi.save(view);
    } catch (e) {
      notifications.show({ color: 'red', message: `The view was not saved: ${errorMessage(e)}` });
      return;
    }
    await qc.invalidateQueries({ queryKey: ['views', me.id, object.apiName] });
    navigate({ to: '/o/$object', params: { object: object.apiName }, search: { view: saved.id } });
    notifications.show({ color: 'green', message: `View “${saved.name}” saved` });
  };

  const bulkDelete = async () => {
    setDeleting(true);
    let ok = 0;
    const failures: string[] = [];
    for (const id of selectedIds) {
      try {
        await deleteRecord(object.apiName, id);
        ok += 1;
      } catch (e) {
        failures.push(errorMessage(e));
      }
    }
    setDeleting(false);
    setConfirmDelete(false);
    setSelection({});
    void qc.invalidateQueries({ queryKey: ['records', object.apiName] });
    notifications.show({
      color: failures.length ? 'orange' : 'green',
      message: `${ok} deleted${failures.length ? `; ${failures.length} not deleted: ${failures[0]}` : ''}`,
      autoClose: failures.length ? 10_000 : 4000,
    });
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="sm" align="baseline">
          <Title order={1}>{current ? current.name : object.pluralLabel}</Title>
          {count.data && (
            <Text c="gray.7" data-testid="list-count" aria-live="polite">
              {count.data.exact ? '' : 'about '}{count.data.count.toLocaleString()} {count.data.count === 1 ? object.label.toLowerCase() : object.pluralLabel.toLowerCase()}
            </Text>
          )}
        </Group>
        <Group gap="xs" wrap="wrap">
          {hasPicklist && (
            <ButtonLink variant="default"  to="/o/$object/board" params={{ object: object.apiName }} search={{ field: undefined }}>
              Board
            </ButtonLink>
          )}
          {listExtensionsFor(object.apiName).map((e, i) => e.Actions && <e.Actions key={i} object={object} />)}
          <ButtonLink to="/o/$object/new" params={{ object: object.apiName }}>New {object.label.toLowerCase()}</ButtonLink>
        </Group>
      </Group>
      <Group gap="xs" wrap="wrap">
        <TextInput aria-label={`Search in ${object.pluralLabel.toLowerCase()}`} placeholder={`Search ${object.pluralLabel.toLowerCase()}…`} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={220} type="search" />
        <ViewControls
          views={views}
          current={current}
          modified={modified}
          onSelect={(id) => {
            navigate({ to: '/o/$object', params: { object: object.apiName }, search: { view: id ?? undefined } });
          }}
          onSave={(name, shared) => void saveView({ name, shared, object: object.apiName, filter, sort, columns })}
          onUpdate={() => current && void saveView({ ...current, filter, sort, columns })}
          onDelete={async () => {
            if (!current) return;
            await viewsApi.remove(current.id).catch((e) => notifications.show({ color: 'red', message: errorMessage(e) }));
            await qc.invalidateQueries({ queryKey: ['views', me.id, object.apiName] });
            navigate({ to: '/o/$object', params: { object: object.apiName }, search: { view: undefined } });
          }}
        />
        <Button variant={showFilter ? 'light' : 'default'} onClick={() => setShowFilter((s) => !s)} aria-expanded={showFilter} aria-controls="list-filter">
          Filter{filterCount ? <Badge ml={6} size="sm" circle>{filterCount}</Badge> : null}
        </Button>
        <ColumnChooser object={object} columns={columns} onChange={setColumns} />
        <ExportButtons object={object} filter={effectiveFilter} sort={sort} columns={columns} />
      </Group>
      <Collapse expanded={showFilter} id="list-filter">
        <Paper withBorder p="sm">
          <FilterBuilder object={object} value={filter} onChange={setFilter} label="Filter" />
        </Paper>
      </Collapse>
      {selectedIds.length > 0 && (
        <Paper withBorder p="xs" bg="indigo.0" role="region" aria-label="Bulk actions">
          <Group gap="xs">
            <Text size="sm" fw={500}>{selectedIds.length} selected</Text>
            <Button size="xs" variant="default" onClick={() => setBulkEdit(true)}>Edit selected</Button>
            <Button size="xs" color="red" variant="light" onClick={() => setConfirmDelete(true)}>Delete selected</Button>
            <Button size="xs" variant="subtle" onClick={() => setSelection({})}>Clear selection</Button>
          </Group>
        </Paper>
      )}
      {list.error ? (
        <Alert color="red" title="The list could not be loaded" role="alert">{errorMessage(list.error)}</Alert>
      ) : list.isLoading ? (
        <Loading label={`Loading ${object.pluralLabel.toLowerCase()}`} />
      ) : (
        <>
          {phone ? (
            <RecordCards object={object} rows={list.rows} display={list.display} columns={columns} sort={sort} onSort={setSort} selection={selection} onSelectionChange={setSelection} />
          ) : (
            <RecordTable object={object} rows={list.rows} display={list.display} columns={columns} sort={sort} onSort={setSort} selection={selection} onSelectionChange={setSelection} onRowSaved={onRowSaved} />
          )}
          {list.rows.length === 0 && (
            <Stack align="center" gap="xs" p="lg">
              <Text c="gray.7">{filter || debouncedSearch ? `No ${object.pluralLabel.toLowerCase()} match.` : `No ${object.pluralLabel.toLowerCase()} yet.`}</Text>
              <Group gap="xs">
                {(filter || debouncedSearch) && (
                  <Button variant="default" onClick={() => { setFilter(null); setDebouncedFilter(null); setSearch(''); setDebouncedSearch(''); }}>Clear filters</Button>
                )}
                <ButtonLink variant="light" to="/o/$object/new" params={{ object: object.apiName }}>Add a new {object.label.toLowerCase()}</ButtonLink>
              </Group>
            </Stack>
          )}
        </>
      )}
      <div ref={sentinel} />
      <Group justify="center" mih={36}>
        {isFetchingNextPage && <Loader size="sm" aria-label="Loading more" />}
        {hasNextPage && !isFetchingNextPage && <Button variant="subtle" onClick={() => void fetchNextPage()}>Load more</Button>}
        {!hasNextPage && list.rows.length > 0 && <Text size="sm" c="dimmed" role="status">{list.rows.length} {list.rows.length === 1 ? 'record' : 'records'}</Text>}
      </Group>
      <BulkEditModal
        object={object}
        ids={selectedIds}
        opened={bulkEdit}
        onClose={() => setBulkEdit(false)}
        onDone={(message) => {
          notifications.show({ message });
          void qc.invalidateQueries({ queryKey: ['records', object.apiName] });
        }}
      />
      <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title={`Delete ${selectedIds.length} ${selectedIds.length === 1 ? object.label.toLowerCase() : object.pluralLabel.toLowerCase()}?`} centered>
        <Text size="sm" mb="md">Deleted records go to the recycle bin and can be restored from there.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirmDelete(false)}>Cancel</Button>
          <Button color="red" loading={deleting} onClick={() => void bulkDelete()}>Delete</Button>
        </Group>
      </Modal>
    </Stack>
  );
}
