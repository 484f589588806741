import { useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { getRecord, mergeDisplay, queryAllRecords } from '../../api/records';
import type { DisplayMap, RecordData } from '../../api/types';

export const ENTRY = 'price_book_entry';

export interface Entries {
  records: RecordData[];
  display: DisplayMap;
}

export const entriesKey = (bookId: string) => ['records', ENTRY, 'book', bookId];

/** Every entry of a book (all pages) with the names of their products, specs and units. */
export async function fetchEntries(bookId: string, signal?: AbortSignal): Promise<Entries> {
  const { data, display } = await queryAllRecords(ENTRY, { filter: { field: 'price_book', op: 'eq', value: bookId } }, signal);
  return { records: data, display };
}

/** One entry as stored now, with its names. */
export async function fetchEntry(id: string): Promise<{ record: RecordData; display: DisplayMap }> {
  const { _display, ...record } = await getRecord(ENTRY, id);
  return { record: record as RecordData, display: _display ?? {} };
}

/** The book's entries in the query cache, changed in place: a saved or added entry, a removed one. */
export function useEntriesCache(bookId: string) {
  const qc = useQueryClient();
  const key = entriesKey(bookId);
  const change = (fn: (old: Entries) => Entries) => qc.setQueryData<Entries>(key, (old) => (old ? fn(old) : old));
  return {
    put(record: RecordData, display?: DisplayMap) {
      change((old) => {
        const known = old.records.some((r) => r.id === record.id);
        // A stale answer (an older version) never replaces a newer one.
        const records = known ? old.records.map((r) => (r.id === record.id && r.version <= record.version ? { ...r, ...record } : r)) : [...old.records, record];
        return { records, display: mergeDisplay(old.display, display) };
      });
    },
    drop(id: string) {
      change((old) => ({ ...old, records: old.records.filter((r) => r.id !== id) }));
    },
    reload: () => qc.invalidateQueries({ queryKey: key }),
    /** The entry as last stored here (a row rendered before the last save has an older version). */
    get: (id: string) => qc.getQueryData<Entries>(key)?.records.find((r) => r.id === id),
  };
}

/** Why the server refused a change, as the grid deals with it. */
export type Refusal =
  | { kind: 'conflict' }
  | { kind: 'denied'; message: string }
  | { kind: 'gone' }
  | { kind: 'invalid'; message: string };

/**
 * A refused save: someone else's newer version (409), no permission (403), the entry removed
 * meanwhile (404), or what the server says is wrong — the message about `field` first, then the
 * others, each named by its label ("Valid from: Another active entry …").
 */
export function refusalOf(error: unknown, field: string, labels: Record<string, string>): Refusal {
  if (!(error instanceof ApiError)) return { kind: 'invalid', message: errorMessage(error) };
  if (error.status === 409 && error.code === 'version_conflict') return { kind: 'conflict' };
  if (error.status === 403) return { kind: 'denied', message: error.message };
  if (error.status === 404) return { kind: 'gone' };
  const errors = error.fieldErrors();
  if (!errors.length) return { kind: 'invalid', message: error.message };
  const own = errors.filter((e) => e.field === field).map((e) => tidy(e.message));
  const others = errors.filter((e) => e.field !== field).map((e) => (e.field ? `${labels[e.field] ?? e.field}: ${tidy(e.message)}` : tidy(e.message)));
  return { kind: 'invalid', message: [...own, ...others].join(' ') };
}

/** A server message without record ids ("Another active entry (0193…) prices …" names no id to a person). */
export function tidy(message: string): string {
  return message.replace(/ \([0-9a-f]{8}-[0-9a-f-]{27}\)/gi, '');
}

export const CONFLICT_MESSAGE = 'Someone else changed this entry since you opened the book: it now shows their values. Enter saves yours over them, Esc keeps theirs.';
