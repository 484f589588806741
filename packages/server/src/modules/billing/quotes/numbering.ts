import { sql } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';

/**
 * Document numbers from a configurable series (MERIDIAN_QUOTE_NUMBER_FORMAT, e.g.
 * `Q-{YYYY}-{#####}` → Q-2026-00042). The counter lives in `billing_number_series`, one row per
 * series and period (the date part of the format), taken with one upsert:
 * - **gapless** (quotes, invoices, credit notes, payments — the default): in the caller's transaction. The
 *   row stays locked until the document commits, so concurrent creators queue (no duplicates) and
 *   a rolled-back creation gives its number back (no gaps).
 * - **gaps allowed** (orders): on PostgreSQL, in a statement of its own that commits at
 *   once (the autonomous pool), like a sequence: concurrent creators wait microseconds instead of
 *   for each other's whole transaction (order intake had 6 of 7 sessions waiting on that row), and
 *   a rolled-back creation leaves its number unused. PGlite has one session: in the transaction.
 */
export interface NumberFormat {
  /** Builds the number from the date and the counter. */
  render(date: Date, counter: number): string;
  /** The date part the counter restarts with ('' when the format has none). */
  period(date: Date): string;
}

const TOKEN = /\{(YYYY|YY|MM|#+)\}/g;

export function parseNumberFormat(format: string): NumberFormat {
  const text = format.trim();
  const counters = [...text.matchAll(TOKEN)].filter((m) => m[1]!.startsWith('#'));
  if (counters.length !== 1) throw new Error(`must contain exactly one counter such as {#####}, got '${format}'`);
  if (text.length > 60 || /[{}]/.test(text.replace(TOKEN, ''))) throw new Error(`only {YYYY}, {YY}, {MM} and one {#…} may appear in braces (at most 60 characters), got '${format}'`);
  const parts = (date: Date) => ({ YYYY: String(date.getUTCFullYear()), YY: String(date.getUTCFullYear()).slice(2), MM: String(date.getUTCMonth() + 1).padStart(2, '0') });
  return {
    render(date, counter) {
      const p = parts(date);
      return text.replace(TOKEN, (_m, t: string) => (t.startsWith('#') ? String(counter).padStart(t.length, '0') : p[t as 'YYYY' | 'YY' | 'MM']));
    },
    period(date) {
      const p = parts(date);
      return [...text.matchAll(TOKEN)].map((m) => m[1]!).filter((t) => !t.startsWith('#')).map((t) => p[t as 'YYYY' | 'YY' | 'MM']).join('-');
    },
  };
}

/** Moves a series' counter for the period by `count` (the row made at `count` the first time); answers its new value. */
const moveCounter = (series: string, period: string, count: number) => sql<{ last_value: string }>`INSERT INTO billing_number_series (series, period, last_value)
  VALUES (${series}, ${period}, ${count})
  ON CONFLICT (series, period) DO UPDATE SET last_value = billing_number_series.last_value + ${count}
  RETURNING last_value::text AS last_value`;

/** The next number of a series (see above for gapless and gaps allowed). */
export async function nextDocumentNumber(args: { ctx: TxContext; series: string; format: string; date?: Date; gaps?: 'allowed' }): Promise<string> {
  return (await nextDocumentNumbers({ ...args, count: 1 }))[0]!;
}

/**
 * The next `count` numbers of a series at once (a run posting many invoices in one transaction,
 * a shop's orders taken in together): one upsert moves the counter by `count` and the numbers are
 * the consecutive values up to it, in order. In a gapless series the row stays locked to commit
 * as for one number, so a rolled-back run gives them all back.
 */
export async function nextDocumentNumbers(args: { ctx: TxContext; series: string; format: string; date?: Date; count: number; gaps?: 'allowed' }): Promise<string[]> {
  if (args.count < 1) return [];
  const date = args.date ?? new Date();
  const format = parseNumberFormat(args.format);
  const upsert = moveCounter(args.series, format.period(date), args.count);
  // A series that allows gaps moves on its own connection at once, as nextDocumentNumber's does.
  const autonomous = args.gaps === 'allowed' ? args.ctx.platform.database.autonomousPool : undefined;
  let value: string;
  if (autonomous) {
    const compiled = upsert.compile(args.ctx.platform.db);
    value = (await autonomous.query<{ last_value: string }>(compiled.sql, [...compiled.parameters])).rows[0]!.last_value;
  } else {
    value = (await upsert.execute(args.ctx.trx)).rows[0]!.last_value;
  }
  const last = Number(value);
  return Array.from({ length: args.count }, (_, i) => format.render(date, last - args.count + 1 + i));
}
