import { sql } from 'kysely';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import type { RecordContext } from '../../platform/records/context.ts';

export function objectOf(ctx: RecordContext, apiName: string): ObjectDefinition {
  return ctx.platform.registry.requireObject(apiName);
}

export function tableOf(ctx: RecordContext, apiName: string) {
  return sql.table(objectOf(ctx, apiName).table);
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
