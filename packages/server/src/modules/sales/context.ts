import { sql } from 'kysely';
import type { RecordContext, TxContext } from '../../platform/records/context.ts';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import { visibilityCondition } from '../../platform/access/policy.ts';
import { todayIn } from '../../platform/dates.ts';

/**
 * System writes: a command of this module may set fields clients cannot (converted_*, stalled)
 * or write objects clients cannot (stage history). It passes a context marked for one object
 * (and record) — the mark travels with the context into the record service, and the
 * `applySystemValues` hook (hooks.ts) copies the values into the write. Other writes in the same
 * transaction are not marked, so a rule is only relaxed for the write the command meant.
 */
const SYSTEM_WRITE = Symbol('sales.systemWrite');

export interface SystemWrite {
  object: string;
  /** The record being updated; omitted for a create. */
  id?: string;
  values: Record<string, unknown>;
}

type Marked = { [SYSTEM_WRITE]?: SystemWrite };

export function asSystemWrite<C extends RecordContext>(ctx: C, write: SystemWrite): C {
  return { ...ctx, [SYSTEM_WRITE]: write } as C;
}

export function systemWriteFor(ctx: RecordContext, object: string, id: string | undefined): SystemWrite | undefined {
  const w = (ctx as Marked)[SYSTEM_WRITE];
  if (!w || w.object !== object) return undefined;
  return w.id === id ? w : undefined;
}

/**
 * The context for the follow-on writes a rule makes on the user's behalf (stage history, the
 * lost-review task, moving a lead's tasks): unrestricted by the user's profile and sharing — the
 * rule decides, not the user — but still in the same transaction and attributed to the user.
 */
export function onBehalf<C extends RecordContext>(ctx: C): C {
  return { ...ctx, actor: { ...ctx.actor, isAdmin: true, access: undefined } };
}

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
