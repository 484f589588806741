import { sql } from 'kysely';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import type { RecordContext } from '../../platform/records/context.ts';

export function objectOf(ctx: RecordContext, apiName: string): ObjectDefinition {
  return ctx.platform.registry.requireObject(apiName);
}

export function tableOf(ctx: RecordContext, apiName: string) {
  return sql.table(objectOf(ctx, apiName).table);
}

// Building an Intl.DateTimeFormat costs far more than formatting with one: keep one per zone.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's date (YYYY-MM-DD) in a time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    if (dayFormats.size < 1000) dayFormats.set(timeZone, format);
  }
  return format.format(now);
}
