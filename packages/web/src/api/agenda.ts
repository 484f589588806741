import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { RecordData } from './types';

/** One item of GET /me/agenda: a meeting, call or dated task, recurring series expanded. */
export interface AgendaItem {
  object: 'meeting' | 'call' | 'task';
  id: string;
  subject: string;
  status: string;
  recurring: boolean;
  /** Identifies the occurrence for edits: its original start (UTC) or due date. */
  occurrence: string;
  /** Meetings and calls: UTC instants, and the same in the user's zone (with offset). */
  start?: string;
  end?: string | null;
  localStart?: string;
  localEnd?: string | null;
  /** Tasks: the due date (YYYY-MM-DD). */
  dueDate?: string;
  /** Meetings, when the user may read the field. */
  location?: string | null;
}

export interface AgendaAnswer {
  timeZone: string;
  data: AgendaItem[];
}

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
