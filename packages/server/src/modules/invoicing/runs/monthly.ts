import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { asSystem, inTransaction, systemActor, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord, updateRecord } from '../../../platform/records/write.ts';
import { todayIn } from '../../../platform/dates.ts';
import { AppError } from '../../../platform/errors.ts';
import { analyzeOutgrown } from '../../../platform/db/statistics.ts';
import { tableOf } from '../../billing/index.ts';
import { invoiceOrderGroups } from '../commands/invoiceGroups.ts';
import { postMadeInvoices } from '../commands/postMany.ts';
import { invoicingSettings } from '../settings.ts';

/** Accounts read per batch: memory stays flat however many accounts a run covers. */
const BATCH = 500;
/**
 * Accounts invoiced in one transaction: their orders locked and read, their invoices, lines,
 * order marks, history and events written, and the invoices posted with consecutive numbers,
 * each with statements shared by all of them (stop 31: ~40 statements per invoice → ~1).
 */
const ACCOUNTS_PER_TRANSACTION = 50;
/**
 * Transactions at once, each on its own connection: while one waits for the database's answer
 * another's JavaScript runs; they share only the invoice number, taken last in each
 * (PGlite runs them one at a time).
 */
const WORKERS = 3;

/** Runs fn over items with at most `limit` at a time; resolves when all are done (fn handles its own errors). */
async function eachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface RunOptions {
  platform: Platform;
  /** The month to invoice (YYYY-MM); default the month before today in the organisation's zone. */
  period?: string;
  trigger?: 'schedule' | 'user';
  /** Who asked (a user's run is attributed to them); the schedule runs as the system. */
  actor?: RecordContext['actor'];
}

/** The month before the given day (YYYY-MM-DD → YYYY-MM). */
export function previousMonth(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The first day after a period (YYYY-MM → YYYY-MM-DD of the next month). */
function periodEnd(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/**
 * The monthly invoicing run (seed 004 "per month"; seed 001's month-end invoices): for every
 * account invoiced per month, its completed, uninvoiced orders completed before the period's end
 * (midnight in the organisation's zone) go on posted invoices — one per PO, or one for all of
 * them when the account allows sharing POs (per currency in both cases) — e-mailed afterwards,
 * from the queue (send/queue.ts), when the account sends automatically. Up to 50 accounts are
 * one transaction (two at a time), under each account's advisory lock and re-reading their
 * uninvoiced orders inside it: re-running the month, or two workers running it at once, never
 * invoices an order twice (the second finds nothing left). One account's refusal rolls its batch
 * back and the batch's accounts are then invoiced one transaction each, so the others' invoices
 * are kept and only that account fails (recorded on the run with its reason). The run's record (invoice_run) shows the
 * progress and the outcome.
 */
export async function runMonthlyInvoicing(options: RunOptions): Promise<ApiRecord> {
  const { platform } = options;
  const settings = invoicingSettings.of(platform);
  const zone = settings.timeZone;
  const period = options.period ?? previousMonth(todayIn(zone));
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
    throw new AppError('validation_failed', 'The period is a month, YYYY-MM', { errors: [{ field: 'period', code: 'invalid_period', message: 'Give the month as YYYY-MM' }] });
  }
  const ctx: RecordContext = { platform, actor: options.actor ?? systemActor('workflow') };
  const runObject = platform.registry.requireObject('invoice_run');
  const run = await inTransaction(ctx, (tx) => createRecord({
    ctx: tx, object: runObject, input: {},
    options: { systemValues: { name: `Invoices for ${period}`, period, status: 'running', trigger: options.trigger ?? 'user', started_at: new Date().toISOString(), accounts: 0, invoices: 0, orders: 0, failed_accounts: 0 } },
  }));
  const totals = { accounts: 0, invoices: 0, orders: 0, failed_accounts: 0 };
  const failures: Array<{ account: string; code: string; message: string }> = [];
  const end = periodEnd(period);
  const progress = () => inTransaction(ctx, (tx) => updateRecord({ ctx: tx, object: runObject, id: run.id, input: {}, options: { systemValues: { ...totals } } }));
  let after = '00000000-0000-0000-0000-000000000000';
  // The tables the run grows, analysed between batches once they have outgrown their statistics
  // (one analysis at a time: the other worker goes on meanwhile). Without it, on a connection
  // that planned the foreign key checks while the invoice table was near-empty, every invoice
  // line and order marked reads the whole invoice table (docs/performance.md, stop 32).
  const grown = ['invoice', 'invoice_line'].map((o) => platform.registry.requireObject(o).table);
  let analysing: Promise<unknown> | null = null;
  const keepStatistics = async () => {
    if (analysing) return;
    analysing = analyzeOutgrown({ db: platform.db, tables: grown, logger: platform.logger }).finally(() => (analysing = null));
    await analysing;
  };
  try {
    for (;;) {
      const accounts = await dueAccounts(ctx, { zone, end, after });
      if (!accounts.length) break;
      const count = (done: Done) => {
        totals.invoices += done.invoices;
        totals.orders += done.orders;
        if (done.orders) totals.accounts += 1;
      };
      const chunks = Array.from({ length: Math.ceil(accounts.length / ACCOUNTS_PER_TRANSACTION) }, (_, i) => accounts.slice(i * ACCOUNTS_PER_TRANSACTION, (i + 1) * ACCOUNTS_PER_TRANSACTION));
      await eachConcurrently(chunks, WORKERS, async (chunk) => {
        await keepStatistics();
        // As the system (still attributed to whoever started the run): the run covers every account,
        // whatever the starter's own sharing lets them see.
        const invoice = (batch: DueAccount[]) => inTransaction(ctx, (tx) => invoiceAccounts(asSystem(tx), { accounts: batch, zone, end }));
        if (chunk.length > 1) {
          try {
            for (const done of await invoice(chunk)) count(done);
            return;
          } catch (error) {
            // An account refused: the whole batch rolled back; each account again in its own
            // transaction, so the others' invoices are kept and the refusal is recorded for that
            // account alone (refusals are rare; the batch's work is what one costs).
            platform.logger.info({ err: error, period }, 'a batch of the monthly run was refused; its accounts are invoiced one at a time');
          }
        }
        for (const account of chunk) {
          try {
            count((await invoice([account]))[0]!);
          } catch (error) {
            totals.failed_accounts += 1;
            failures.push({ account: account.id, code: error instanceof AppError ? (error.errors[0]?.code ?? error.code) : 'error', message: error instanceof Error ? error.message : String(error) });
            platform.logger.warn({ err: error, account: account.id, period }, 'an account could not be invoiced in the monthly run');
          }
        }
      });
      after = accounts[accounts.length - 1]!.id;
      await progress();
    }
  } catch (error) {
    await inTransaction(ctx, (tx) => updateRecord({
      ctx: tx, object: runObject, id: run.id, input: {},
      options: { systemValues: { ...totals, status: 'failed', finished_at: new Date().toISOString(), failures: JSON.stringify([...failures, { account: null, code: 'run_failed', message: (error as Error).message }]) } },
    }));
    throw error;
  }
  return inTransaction(ctx, (tx) => updateRecord({
    ctx: tx, object: runObject, id: run.id, input: {},
    options: { systemValues: { ...totals, status: failures.length ? 'completed_with_errors' : 'completed', finished_at: new Date().toISOString(), failures: failures.length ? JSON.stringify(failures) : null } },
  }));
}

interface DueAccount {
  id: string;
  allow_shared_pos: boolean | null;
}

/** The next accounts (by id) invoiced per month that have completed, uninvoiced orders of the period. */
async function dueAccounts(ctx: RecordContext, args: { zone: string; end: string; after: string }): Promise<DueAccount[]> {
  const r = await sql<DueAccount>`SELECT a.id, a.allow_shared_pos FROM ${tableOf(ctx, 'account')} a
    WHERE a.deleted_at IS NULL AND a.invoicing_option = 'per_month' AND a.id > ${args.after}::uuid
      AND EXISTS (SELECT 1 FROM ${tableOf(ctx, 'order')} o WHERE o.account_id = a.id AND o.deleted_at IS NULL AND o.status = 'completed'
        AND o.invoice_id IS NULL AND (o.completed_at AT TIME ZONE ${args.zone}) < ${args.end}::timestamp)
    ORDER BY a.id LIMIT ${BATCH}`.execute(ctx.platform.db);
  return r.rows;
}

interface Done {
  invoices: number;
  orders: number;
}

/**
 * Accounts' invoices in one transaction. The accounts are claimed first — each one's run lock
 * (an advisory lock on the account) taken in one statement, in the locks' own order, so two
 * workers claiming overlapping batches queue instead of deadlocking — and their uninvoiced
 * orders read again inside it, so an order is never invoiced twice. Each account's orders are
 * grouped per currency and tax treatment and, unless it shares POs, per PO; every group becomes
 * an invoice (invoiceOrderGroups), and all are posted together (postMadeInvoices). Answers what
 * each account got, in the order given.
 */
async function invoiceAccounts(ctx: TxContext, args: { accounts: DueAccount[]; zone: string; end: string }): Promise<Done[]> {
  const ids = args.accounts.map((a) => a.id);
  // ORDER BY before the locking function: PostgreSQL evaluates volatile output after sorting.
  await sql`SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext('invoicing.run:' || a) AS k FROM unnest(${ids}::text[]) AS a) s ORDER BY k`.execute(ctx.trx);
  const orders = (await sql<{ id: string; account_id: string; po_number: string | null; currency: string; tax_inclusive: boolean | null }>`SELECT id, account_id, po_number, currency, tax_inclusive
    FROM ${tableOf(ctx, 'order')} WHERE account_id = ANY(${ids}::uuid[]) AND deleted_at IS NULL AND status = 'completed' AND invoice_id IS NULL
      AND (completed_at AT TIME ZONE ${args.zone}) < ${args.end}::timestamp
    ORDER BY completed_at, id`.execute(ctx.trx)).rows;
  const groupsOf = new Map<string, Map<string, string[]>>(args.accounts.map((a) => [a.id, new Map()]));
  const shares = new Map(args.accounts.map((a) => [a.id, a.allow_shared_pos === true]));
  for (const o of orders) {
    const groups = groupsOf.get(o.account_id)!;
    const key = [o.currency, o.tax_inclusive === true, shares.get(o.account_id) ? '' : (o.po_number ?? '')].join('|');
    groups.set(key, [...(groups.get(key) ?? []), o.id]);
  }
  const groups = args.accounts.flatMap((a) => [...groupsOf.get(a.id)!.values()].map((orderIds) => ({ account: a.id, orderIds })));
  const made = groups.length ? await invoiceOrderGroups({ ctx, groups: groups.map((g, n) => ({ orderIds: g.orderIds, prefix: `invoices[${n}].` })) }) : [];
  await postMadeInvoices(ctx, made);
  return args.accounts.map((a) => {
    const mine = groups.filter((g) => g.account === a.id);
    return { invoices: mine.length, orders: mine.reduce((n, g) => n + g.orderIds.length, 0) };
  });
}

/**
 * The schedule's check (hourly): on the organisation's run day, in its zone, the previous month
 * is run once — unless a scheduled run of that month exists already (any worker's).
 */
export async function runMonthlyIfDue(platform: Platform): Promise<ApiRecord | null> {
  const { timeZone, runDay } = invoicingSettings.of(platform);
  const today = todayIn(timeZone);
  if (Number(today.slice(8, 10)) !== runDay) return null;
  const period = previousMonth(today);
  const ran = await sql`SELECT 1 FROM ${tableOf({ platform, actor: systemActor() }, 'invoice_run')} WHERE period = ${period} AND trigger = 'schedule' AND deleted_at IS NULL LIMIT 1`.execute(platform.db);
  if (ran.rows.length) return null;
  return runMonthlyInvoicing({ platform, period, trigger: 'schedule' });
}
