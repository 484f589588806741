import { sql } from 'kysely';
import type { RecordContext, TxContext } from '../../platform/records/context.ts';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import { visibilityCondition } from '../../platform/access/policy.ts';
import { todayIn } from '../../platform/dates.ts';

/** Follow-on writes on the user's behalf: the platform's one helper (records/context.ts). */
export { asSystem as onBehalf } from '../../platform/records/context.ts';

/** `AND <visible>` for raw reads over alias `alias`, so suggestions never reveal records the user may not see. */
export function visibleTo(ctx: RecordContext, object: string, alias: string) {
  const condition = visibilityCondition(ctx.actor, objectOf(ctx, object), alias);
  return condition ? sql`AND ${condition}` : sql``;
}

/** The table of a standard object, as the registry knows it. */
export function tableOf(ctx: RecordContext, object: string) {
  return sql.table(objectOf(ctx, object).table);
}

export function objectOf(ctx: RecordContext, object: string): ObjectDefinition {
  return ctx.platform.registry.requireObject(object);
}

/** The executor for reads: the transaction when there is one (PGlite has a single session). */
export function db(ctx: RecordContext | TxContext) {
  return ctx.trx ?? ctx.platform.db;
}

/** Today as YYYY-MM-DD in the actor's time zone. */
export function today(ctx: RecordContext, plusDays = 0): string {
  return todayIn(ctx.actor.timeZone || 'UTC', new Date(Date.now() + plusDays * 86_400_000));
}

export function isBlank(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

export function splitList(text: unknown): string[] {
  return typeof text === 'string' ? text.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
