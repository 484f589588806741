import { sql } from 'kysely';
import { ruleViolation } from '../../platform/errors.ts';
import type { RecordContext, TxContext } from '../../platform/records/context.ts';
import { getRecord } from '../../platform/records/read.ts';
import type { ApiRecord } from '../../platform/records/hooks.ts';
import { todayIn } from '../../platform/dates.ts';
import type { Platform } from '../../platform/kernel.ts';
import { billingSettings } from './settings.ts';
import type { RoundingPolicy } from './money/index.ts';

/** Follow-on reads and writes on the user's behalf: the platform's one helper (records/context.ts). */
export { asSystem } from '../../platform/records/context.ts';

/** The executor for reads of billing's own tables: the transaction when there is one (PGlite has a single session). */
export function db(ctx: RecordContext | TxContext) {
  return ctx.trx ?? ctx.platform.db;
}

/** The table of one of billing's objects, as the registry knows it. */
export function tableOf(ctx: RecordContext, object: string) {
  return sql.table(ctx.platform.registry.requireObject(object).table);
}

/** A record through the record service (access applies to the context's actor). */
export function readRecord(ctx: RecordContext, object: string, id: string, fields?: string[]): Promise<ApiRecord> {
  return getRecord({ ctx, object: ctx.platform.registry.requireObject(object), id, ...(fields ? { fields } : {}) });
}

/** Today as YYYY-MM-DD in the actor's time zone. */
export function today(ctx: RecordContext): string {
  return todayIn(ctx.actor.timeZone || 'UTC');
}

/** The organisation's rounding (settings.ts): what every document is totalled with. */
export function roundingPolicy(platform: Platform): RoundingPolicy {
  const { roundingMode, roundingScope } = billingSettings.of(platform);
  return { mode: roundingMode, scope: roundingScope };
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date as YYYY-MM-DD (2026-02-30 is not). */
export function isRealDate(text: string): boolean {
  if (!DATE_RE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

export function isBlank(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

/** 422 naming one field. */
export function refuse(field: string, code: string, message: string): never {
  throw ruleViolation([{ field, code, message }]);
}
