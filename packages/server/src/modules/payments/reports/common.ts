import { sql, type RawBuilder } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import { listConditions } from '../../../platform/records/read.ts';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { Decimal, isRealDate, refuse } from '../../billing/index.ts';

/**
 * What the cash reports share: the reader's access compiled into every aggregate (the same
 * conditions as the object's list, `listConditions`, alias t0), exact decimals, and calendar
 * arithmetic on date-only strings (no time zones: a day is a day).
 */

/** The object, after checking the reader may read it at all (403 otherwise). */
export function readable(ctx: TxContext, apiName: string): ObjectDefinition {
  const object = ctx.platform.registry.requireObject(apiName);
  assertObjectPermission(ctx.actor, object, 'read');
  return object;
}

/** `t0.deleted_at IS NULL ∧ visibility ∧ extra` for `object` aliased t0. */
export function visibleWhere(ctx: TxContext, object: ObjectDefinition, extra: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql.join(listConditions(ctx, object, undefined, extra as RawBuilder<boolean>), sql` AND `);
}

export const table = (object: ObjectDefinition) => sql.table(object.table);

export const dec = (v: unknown) => new Decimal(v === null || v === undefined || v === '' ? '0' : String(v));
export const text = (v: Decimal) => v.toFixed();

export function checkDay(field: string, value: string): string {
  if (!isRealDate(value)) refuse(field, 'invalid_date', 'A date such as 2026-12-06');
  return value;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
export function checkMonth(field: string, value: string): string {
  if (!MONTH_RE.test(value)) refuse(field, 'invalid_month', 'A month such as 2026-12');
  return value;
}

const utc = (day: string) => new Date(`${day}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

export function addDays(day: string, n: number): string {
  const d = utc(day);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
}

/** Days from a to b (b − a). */
export const daysBetween = (a: string, b: string) => Math.round((utc(b).getTime() - utc(a).getTime()) / 86_400_000);

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const k = y * 12 + (m - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

export const firstOfMonth = (month: string) => `${month}-01`;
export const lastOfMonth = (month: string) => addDays(firstOfMonth(addMonths(month, 1)), -1);
export const daysInMonth = (month: string) => daysBetween(firstOfMonth(month), firstOfMonth(addMonths(month, 1)));
export const monthsBetween = (from: string, to: string) => {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty * 12 + tm) - (fy * 12 + fm);
};

/** Monday of the ISO week of a day (PostgreSQL's date_trunc('week')). */
export function mondayOf(day: string): string {
  const d = utc(day);
  return addDays(day, -((d.getUTCDay() + 6) % 7));
}

/** Days sales outstanding: receivables ÷ credit sales × days, one decimal; null when there were no credit sales. */
export function dsoOf(receivables: Decimal, creditSales: Decimal, days: number): number | null {
  if (creditSales.lte(0)) return null;
  return receivables.div(creditSales).times(days).toDecimalPlaces(1).toNumber();
}

/** Names of the accounts the reader may see (others are left out: the caller shows them as hidden). */
export async function accountNames(ctx: TxContext, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const account = ctx.platform.registry.requireObject('account');
  const r = await sql<{ id: string; name: string }>`SELECT t0.id, t0.name FROM ${table(account)} AS t0
    WHERE ${visibleWhere(ctx, account, sql`t0.id IN (${sql.join([...new Set(ids)].map((id) => sql`${id}::uuid`))})`)}`.execute(ctx.trx);
  return new Map(r.rows.map((row) => [row.id, row.name]));
}

/** An opaque keyset position (the sort values of the last row); its values are only ever parameters. */
export const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
export function decodeCursor<T>(field: string, value: string | undefined, valid: (v: any) => boolean): T | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (valid(parsed)) return parsed as T;
  } catch { /* refused below */ }
  return refuse(field, 'invalid_cursor', 'A cursor from a previous answer');
}
