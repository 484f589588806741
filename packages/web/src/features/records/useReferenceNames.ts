import { useQuery } from '@tanstack/react-query';
import { lookupTarget, useMetadata } from '../../api/metadata';
import { queryRecords } from '../../api/records';
import type { DisplayMap, FieldDef } from '../../api/types';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Names of the records (and users) that lookup values point to, as a DisplayMap for formatValue:
 * one query per target object, through the record API, so a record the reader may not see stays
 * unnamed ("a record you cannot see") instead of showing its id.
 */
export function useReferenceNames(refs: Array<{ field: FieldDef | undefined; value: unknown }>): { display: DisplayMap; ready: boolean } {
  const { byName } = useMetadata();
  const wanted = new Map<string, Set<string>>();
  for (const { field, value } of refs) {
    const target = field ? lookupTarget(field) : null;
    if (!target || typeof value !== 'string' || !UUID_RE.test(value)) continue;
    if (!wanted.has(target)) wanted.set(target, new Set());
    wanted.get(target)!.add(value);
  }
  const key = [...wanted.entries()].map(([o, ids]) => [o, [...ids].sort()] as const).sort();
  const q = useQuery({
    queryKey: ['reference-names', key],
    enabled: key.length > 0,
    staleTime: 60_000,
    queryFn: async () => {
      const out: DisplayMap = {};
      for (const [object, ids] of key) {
        const def = byName(object);
        if (!def) continue;
        out[object] = {};
        for (let i = 0; i < ids.length; i += 200) {
          const page = await queryRecords(object, { filter: { field: 'id', op: 'in', value: ids.slice(i, i + 200) }, fields: ['id', def.nameField], limit: 200, display: false }).catch(() => ({ data: [] }));
          for (const r of page.data) out[object][r.id] = String(r[def.nameField] ?? '');
        }
      }
      return out;
    },
  });
  return { display: q.data ?? {}, ready: key.length === 0 || q.isSuccess };
}
