import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { RecordData, ResponseOf } from './types';

/** GET /me/agenda: meetings, calls and dated tasks, recurring series expanded. */
export type AgendaAnswer = ResponseOf<'getAgenda'>;
export type AgendaItem = AgendaAnswer['data'][number];

export type OccurrenceScope = 'this' | 'following' | 'all';

/** Every agenda query starts with this key, so one invalidation refreshes home and calendar. */
export const agendaKey = ['agenda'] as const;

/** [from, to) as plain dates, midnights in the user's time zone (at most 366 days). */
export function getAgenda(from: string, to: string, signal?: AbortSignal) {
  return api.get<AgendaAnswer>(`/me/agenda?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { signal });
}

export function useAgenda(from: string, to: string) {
  return useQuery({
    queryKey: [...agendaKey, from, to],
    queryFn: ({ signal }) => getAgenda(from, to, signal),
    // Keep the previous window on screen while the next one loads (no flash when paging weeks).
    placeholderData: (previous) => previous,
    staleTime: 30_000,
  });
}

/** One occurrence, this and following, or the whole series; answers the series and any split-off record. */
export function editOccurrence(item: Pick<AgendaItem, 'object' | 'id' | 'occurrence'>, scope: OccurrenceScope, changes: Record<string, unknown>) {
  return api.post<{ series: RecordData; created: RecordData | null }>(`/${item.object}/${encodeURIComponent(item.id)}/occurrences/edit`, { occurrence: item.occurrence, scope, changes });
}
