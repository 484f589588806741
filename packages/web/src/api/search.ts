import { ApiError, api } from './client';
import { queryRecords } from './records';
import type { ObjectDef, ResponseOf } from './types';

export type SearchGroup = Omit<ResponseOf<'search'>['groups'][number], 'records'> & { records: Array<Pick<ResponseOf<'search'>['groups'][number]['records'][number], 'id' | 'name'> & { snippet?: string | null }> };

let endpointMissing = false;

/**
 * Global search: GET /api/v1/search?q= when the server has it; until then, one /query per
 * object with `contains` on its name field (searchable objects only), grouped by object.
 */
export async function globalSearch(q: string, objects: ObjectDef[], signal?: AbortSignal): Promise<SearchGroup[]> {
  if (!endpointMissing) {
    try {
      const r = await api.get<{ groups: SearchGroup[] }>(`/search?q=${encodeURIComponent(q)}`, { signal });
      return r.groups;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      endpointMissing = true;
    }
  }
  const searchable = objects.filter((o) => o.fields.some((f) => f.apiName === o.nameField && f.searchable) || !o.standard);
  const groups = await Promise.all(
    searchable.map(async (o) => {
      try {
        const r = await queryRecords(o.apiName, { filter: { field: o.nameField, op: 'contains', value: q }, fields: ['id', o.nameField], limit: 5, display: false, sort: o.nameField }, signal);
        return { object: o.apiName, label: o.pluralLabel, records: r.data.map((d) => ({ id: d.id, name: String(d[o.nameField] ?? d.id) })) };
      } catch (error) {
        if ((error as Error).name === 'AbortError') throw error;
        return { object: o.apiName, label: o.pluralLabel, records: [] };
      }
    }),
  );
  return groups.filter((g) => g.records.length > 0);
}
