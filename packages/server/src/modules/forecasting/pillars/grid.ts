import { sql } from 'kysely';
import { forbidden } from '../../../platform/errors.ts';
import { assertObjectPermission, hasCapability, permissionsFor, visibilityCondition } from '../../../platform/access/policy.ts';
import { listConditions } from '../../../platform/records/read.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { Decimal, unconvertedWarning } from '../../billing/index.ts';
import { dec, invalid, readAmount } from '../input.ts';
import { pillarActuals } from './actuals.ts';
import { PILLARS, type Pillar } from './classify.ts';

/** Brand managers: enter the three-pillar forecast for any account they can see, not only the ones they may edit. */
export const ENTER_FORECAST = 'forecasting.enter_forecast';
export const MAX_GRID_ACCOUNTS = 500;
export const MAX_CELLS = 5000;

type Months = Array<string | null>;
export interface PillarRow {
  account: string;
  name: string;
  editable: boolean;
  plan: Record<Pillar, Months>;
  won: Record<Pillar, string[]>;
  invoiced: Record<Pillar, string[]>;
}
export interface PillarGrid {
  year: number;
  /** The corporate currency the actuals are in (the plan is entered in it). */
  currency: string;
  rows: PillarRow[];
  truncated: boolean;
  totals: { plan: Record<Pillar | 'all', string[]>; won: Record<Pillar | 'all', string[]>; invoiced: Record<Pillar | 'all', string[]> };
  /** Won deals and invoice lines left out of the actuals: their currency has no exchange rate. */
  warnings: string[];
}

export function checkYear(year: unknown): number {
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) invalid('year', 'out_of_range', 'A year between 2000 and 2100');
  return year as number;
}

/**
 * The three-pillar grid of a year: the accounts the actor may read — with `mine`, only those they own
 * or manage or already planned — their plan per pillar and month, and the actuals in the same
 * pillars (pillars/actuals.ts), with totals. At most MAX_GRID_ACCOUNTS accounts, by name.
 */
export function readPillarGrid(args: { ctx: RecordContext; year: number; mine?: boolean }): Promise<PillarGrid> {
  return inTransaction(args.ctx, async (ctx) => {
    const year = checkYear(args.year);
    const account = ctx.platform.registry.requireObject('account');
    assertObjectPermission(ctx.actor, account, 'read');
    const me = ctx.actor.userId;
    const mine = args.mine && me
      ? sql`(t0.owner_id = ${me} OR t0.account_manager_id = ${me} OR EXISTS (SELECT 1 FROM pillar_forecast p WHERE p.account_id = t0.id AND p.year = ${year} AND p.updated_by = ${me}))`
      : sql`true`;
    const editable = editCondition(ctx);
    const r = await sql<{ id: string; name: string; editable: boolean }>`SELECT t0.id, t0.name, ${editable} AS editable FROM ${sql.table(account.table)} AS t0
      WHERE ${sql.join([...listConditions(ctx, account, undefined), mine], sql` AND `)} ORDER BY t0.name, t0.id LIMIT ${MAX_GRID_ACCOUNTS + 1}`.execute(ctx.trx);
    const accounts = r.rows.slice(0, MAX_GRID_ACCOUNTS);
    const ids = accounts.map((a) => a.id);
    const plan = await sql<{ account_id: string; month: number; pillar: Pillar; amount: string }>`SELECT account_id, month, pillar, amount::text FROM pillar_forecast
      WHERE year = ${year} AND account_id = ANY(${ids}::uuid[])`.execute(ctx.trx);
    const { accounts: actuals, currency, unconverted } = await pillarActuals(ctx, year, ids);
    const zeros = () => Array.from({ length: 12 }, () => new Decimal(0));
    const sums = { plan: new Map<string, Decimal[]>(), won: new Map<string, Decimal[]>(), invoiced: new Map<string, Decimal[]>() };
    for (const key of [...PILLARS, 'all']) for (const s of Object.values(sums)) s.set(key, zeros());
    const addTo = (s: Map<string, Decimal[]>, pillar: string, month: number, d: Decimal) => {
      for (const key of [pillar, 'all']) s.get(key)![month] = s.get(key)![month]!.plus(d);
    };
    const rows: PillarRow[] = accounts.map((a) => {
      const row: PillarRow = {
        account: a.id, name: a.name, editable: !!a.editable,
        plan: { new_sales: Array(12).fill(null), account_management: Array(12).fill(null), upselling: Array(12).fill(null) },
        won: { new_sales: [], account_management: [], upselling: [] },
        invoiced: { new_sales: [], account_management: [], upselling: [] },
      };
      const act = actuals.get(a.id);
      for (const p of PILLARS) {
        for (let m = 0; m < 12; m++) {
          const won = act?.won[p][m] ?? new Decimal(0);
          const inv = act?.invoiced[p][m] ?? new Decimal(0);
          row.won[p].push(won.toFixed(2));
          row.invoiced[p].push(inv.toFixed(2));
          addTo(sums.won, p, m, won);
          addTo(sums.invoiced, p, m, inv);
        }
      }
      return row;
    });
    const byId = new Map(rows.map((row) => [row.account, row]));
    for (const cell of plan.rows) {
      const d = dec(cell.amount);
      byId.get(cell.account_id)!.plan[cell.pillar][cell.month - 1] = d.toFixed(2);
      addTo(sums.plan, cell.pillar, cell.month - 1, d);
    }
    const text = (s: Map<string, Decimal[]>) => Object.fromEntries([...s].map(([k, v]) => [k, v.map((d) => d.toFixed(2))])) as Record<Pillar | 'all', string[]>;
    const warnings = unconverted ? [unconvertedWarning(unconverted, { currency })] : [];
    return { year, currency, rows, truncated: r.rows.length > MAX_GRID_ACCOUNTS, totals: { plan: text(sums.plan), won: text(sums.won), invoiced: text(sums.invoiced) }, warnings };
  });
}

/** Accounts the actor may plan: those they may edit, or every readable one with the capability. */
function editCondition(ctx: RecordContext) {
  const account = ctx.platform.registry.requireObject('account');
  if (hasCapability(ctx.actor, ENTER_FORECAST)) return sql<boolean>`true`;
  if (!permissionsFor(ctx.actor, account).edit) return sql<boolean>`false`;
  return visibilityCondition(ctx.actor, account, 't0', 'edit') ?? sql<boolean>`true`;
}

export interface PillarCellInput { account: string; month: number; pillar: string; amount: string | number | null }

/**
 * Saves cells of the plan in one transaction (null clears a cell): every cell is checked first —
 * month, pillar, amount, and that the actor may plan the account — so a bad cell writes nothing.
 */
export function savePillarCells(args: { ctx: RecordContext; year: number; cells: PillarCellInput[] }): Promise<{ saved: number }> {
  return inTransaction(args.ctx, async (ctx) => {
    const year = checkYear(args.year);
    if (!Array.isArray(args.cells) || args.cells.length > MAX_CELLS) invalid('cells', 'too_many', `At most ${MAX_CELLS} cells at once`);
    const account = ctx.platform.registry.requireObject('account');
    assertObjectPermission(ctx.actor, account, 'read');
    if (!hasCapability(ctx.actor, ENTER_FORECAST)) assertObjectPermission(ctx.actor, account, 'edit');
    const checked = args.cells.map((c, i) => {
      if (!Number.isInteger(c.month) || c.month < 1 || c.month > 12) invalid(`cells[${i}].month`, 'out_of_range', 'A month from 1 to 12');
      if (!(PILLARS as readonly string[]).includes(c.pillar)) invalid(`cells[${i}].pillar`, 'invalid_pillar', `One of ${PILLARS.join(', ')}`);
      return { account: c.account, month: c.month, pillar: c.pillar, amount: c.amount === null ? null : readAmount(c.amount, `cells[${i}].amount`) };
    });
    const ids = [...new Set(checked.map((c) => c.account))];
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const bad = checked.findIndex((c) => !uuid.test(c.account));
    if (bad >= 0) invalid(`cells[${bad}].account`, 'not_found', 'No such account');
    const allowed = await sql<{ id: string }>`SELECT t0.id FROM ${sql.table(account.table)} AS t0
      WHERE ${sql.join([...listConditions(ctx, account, undefined), editCondition(ctx), sql`t0.id = ANY(${ids}::uuid[])`], sql` AND `)}`.execute(ctx.trx);
    const ok = new Set(allowed.rows.map((a) => a.id));
    const refused = checked.findIndex((c) => !ok.has(c.account));
    if (refused >= 0) {
      if (!ok.size && ids.length === 1) throw forbidden('You may not plan this account');
      invalid(`cells[${refused}].account`, 'not_editable', 'You may not plan this account (or it does not exist)');
    }
    // Set-based: one statement clears, one upserts (the last value of a cell given twice wins).
    const last = new Map(checked.map((c) => [`${c.account}|${c.month}|${c.pillar}`, c]));
    const cleared = [...last.values()].filter((c) => c.amount === null);
    const set = [...last.values()].filter((c) => c.amount !== null);
    if (cleared.length) {
      await sql`DELETE FROM pillar_forecast p USING unnest(${cleared.map((c) => c.account)}::uuid[], ${cleared.map((c) => c.month)}::int[], ${cleared.map((c) => c.pillar)}::text[]) AS x(account_id, month, pillar)
        WHERE p.account_id = x.account_id AND p.month = x.month AND p.pillar = x.pillar AND p.year = ${year}`.execute(ctx.trx);
    }
    if (set.length) {
      await sql`INSERT INTO pillar_forecast (account_id, year, month, pillar, amount, updated_by)
        SELECT x.account_id, ${year}, x.month, x.pillar, x.amount, ${ctx.actor.userId}::uuid
        FROM unnest(${set.map((c) => c.account)}::uuid[], ${set.map((c) => c.month)}::int[], ${set.map((c) => c.pillar)}::text[], ${set.map((c) => c.amount!.toFixed(2))}::numeric[]) AS x(account_id, month, pillar, amount)
        ON CONFLICT (account_id, year, month, pillar) DO UPDATE SET amount = EXCLUDED.amount, updated_by = EXCLUDED.updated_by, updated_at = now()`.execute(ctx.trx);
    }
    return { saved: checked.length };
  });
}
