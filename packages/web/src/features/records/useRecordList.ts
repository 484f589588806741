import { useInfiniteQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { queryRecords, type ListQuery } from '../../api/records';
import type { Condition, DisplayMap, ListResult, ObjectDef, RecordData } from '../../api/types';

export const PAGE_SIZE = 50;

/** Fields a list must load: the columns plus what rows need (id, version, name, currency). */
export function listFields(o: ObjectDef, columns: string[]) {
  const set = new Set(['id', 'version', o.nameField, ...columns]);
  if (o.fields.some((f) => f.apiName === 'currency')) set.add('currency');
  return [...set].filter((f) => f === 'id' || f === 'version' || o.fields.some((x) => x.apiName === f));
}

export function listKey(object: string, q: { filter: Condition | null; sort: string; fields: string[] }) {
  return ['records', object, 'list', q] as const;
}

/** Keyset pages of a list (nextCursor), flattened; display names merged across pages. */
export function useRecordList(o: ObjectDef, q: { filter: Condition | null; sort: string; columns: string[] }) {
  const fields = listFields(o, q.columns);
  const key = listKey(o.apiName, { filter: q.filter, sort: q.sort, fields });
  const query = useInfiniteQuery({
    queryKey: key,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => queryRecords(o.apiName, { filter: q.filter, sort: q.sort || undefined, fields, limit: PAGE_SIZE, cursor: pageParam, display: true } satisfies ListQuery, signal),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const pages = query.data?.pages ?? [];
  const rows = pages.flatMap((p) => p.data);
  const display: DisplayMap = {};
  for (const p of pages) for (const [obj, names] of Object.entries(p.display ?? {})) display[obj] = { ...display[obj], ...names };
  return { ...query, rows, display, key, fields };
}

/** Replaces one row in every cached page of a list after an inline edit. */
export function usePatchRowInCache() {
  const qc = useQueryClient();
  return (key: readonly unknown[], record: RecordData) => {
    qc.setQueryData<InfiniteData<ListResult>>(key, (old) =>
      old ? { ...old, pages: old.pages.map((p) => ({ ...p, data: p.data.map((r) => (r.id === record.id ? { ...r, ...record } : r)) })) } : old,
    );
  };
}
