import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { asSystem, inTransaction, systemActor, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { createRecord, updateRecord } from '../../../platform/records/write.ts';
import { todayIn } from '../../../platform/dates.ts';
import { invoicingSettings } from '../../invoicing/index.ts';
import { computeCreditLimit, type CreditInputs, type CreditResult } from '../formula.ts';
import { accountPage, readInputs, type AccountRow } from '../queries/inputs.ts';
import { creditSettings } from '../settings.ts';

/** Accounts per page: one set of aggregate queries and one transaction of writes each. */
export const CREDIT_BATCH = 500;

export interface ComputeSummary {
  day: string;
  accounts: number;
  /** Accounts whose limit, currency or rating changed (written through the record pipeline, with an assessment). */
  changed: number;
  failed: number;
  failures: Array<{ account: string; message: string }>;
}

/** The organisation's day (MERIDIAN_TIME_ZONE). */
export const creditDay = (platform: Platform) => todayIn(invoicingSettings.of(platform).timeZone);

/**
 * Computes the credit limit of every live account (or of `ids`), page by page by id: the inputs
 * read set-based (queries/inputs.ts), the formula (formula.ts), the latest computation of each
 * account upserted in one statement per page (credit_computation: what the panel shows as the
 * inputs and when), and — only for accounts whose limit, currency or rating changed — the account
 * written through the record pipeline (as the system; history and events as for any write) with a
 * credit_assessment record, one transaction per page (a page that fails is retried account by
 * account, so one bad account never stops the others).
 */
export async function computeCredit(args: { platform: Platform; ids?: string[]; trigger?: 'nightly' | 'manual'; actor?: RecordContext['actor']; day?: string }): Promise<ComputeSummary> {
  const { platform } = args;
  const policy = creditSettings.of(platform);
  const day = args.day ?? creditDay(platform);
  const ctx: RecordContext = { platform, actor: args.actor ?? systemActor('workflow') };
  const summary: ComputeSummary = { day, accounts: 0, changed: 0, failed: 0, failures: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const accounts = await accountPage(platform, platform.db, { after, limit: CREDIT_BATCH, ...(args.ids ? { ids: args.ids } : {}) });
    if (!accounts.length) break;
    const inputs = await readInputs(platform, platform.db, accounts, day);
    const results = accounts.map((account) => ({ account, inputs: inputs.get(account.id)!, result: computeCreditLimit(inputs.get(account.id)!, policy) }));
    const changed = results.filter(isChanged);
    const computedAt = new Date().toISOString();
    try {
      await inTransaction(ctx, async (tx) => {
        for (const r of changed) await writeAssessment(asSystem(tx), r, computedAt, args.trigger ?? 'nightly');
        await upsertComputations(tx, results, computedAt);
      });
      summary.changed += changed.length;
    } catch {
      for (const r of results) {
        try {
          await inTransaction(ctx, async (tx) => {
            if (isChanged(r)) await writeAssessment(asSystem(tx), r, computedAt, args.trigger ?? 'nightly');
            await upsertComputations(tx, [r], computedAt);
          });
          if (isChanged(r)) summary.changed += 1;
        } catch (error) {
          summary.failed += 1;
          summary.failures.push({ account: r.account.id, message: error instanceof Error ? error.message : String(error) });
          platform.logger.warn({ err: error, account: r.account.id }, 'the credit limit of an account could not be computed');
        }
      }
    }
    summary.accounts += accounts.length;
    after = accounts[accounts.length - 1]!.id;
    if (accounts.length < CREDIT_BATCH) break;
  }
  return summary;
}

interface Computed {
  account: AccountRow;
  inputs: CreditInputs;
  result: CreditResult;
}

/** The rating is only set, never cleared: an account without history keeps what a user chose. */
const isChanged = ({ account, result }: Computed) =>
  account.credit_limit !== result.limit || account.credit_currency !== result.currency || (result.behaviour !== null && account.payment_behaviour !== result.behaviour);

async function writeAssessment(ctx: TxContext, { account, inputs, result }: Computed, computedAt: string, trigger: 'nightly' | 'manual'): Promise<void> {
  const reg = ctx.platform.registry;
  await updateRecord({
    ctx, object: reg.requireObject('account'), id: account.id, input: {},
    options: { systemValues: { credit_limit: result.limit, credit_currency: result.currency, ...(result.behaviour ? { payment_behaviour: result.behaviour } : {}) } },
  });
  await createRecord({
    ctx, object: reg.requireObject('credit_assessment'), input: {},
    options: {
      systemValues: {
        name: `${result.limit} ${result.currency} · ${computedAt.slice(0, 10)}`, account: account.id, computed_at: computedAt, trigger,
        credit_limit: result.limit, currency: result.currency, payment_behaviour: result.behaviour, inputs: JSON.stringify(inputs), explanation: result.explanation,
      },
    },
  });
}

/** The latest computation of each account of a page, in one statement. */
async function upsertComputations(ctx: TxContext, rows: Computed[], computedAt: string): Promise<void> {
  if (!rows.length) return;
  const values = rows.map(({ account, inputs, result }) => sql`(${account.id}::uuid, ${computedAt}::timestamptz, ${result.currency}, ${result.limit}::numeric, ${result.behaviour}, ${JSON.stringify(inputs)}, ${JSON.stringify(result.steps)}, ${result.explanation})`);
  await sql`INSERT INTO credit_computation (account_id, computed_at, currency, credit_limit, behaviour, inputs, steps, explanation) VALUES ${sql.join(values)}
    ON CONFLICT (account_id) DO UPDATE SET computed_at = excluded.computed_at, currency = excluded.currency, credit_limit = excluded.credit_limit,
      behaviour = excluded.behaviour, inputs = excluded.inputs, steps = excluded.steps, explanation = excluded.explanation`.execute(ctx.trx);
}

/**
 * The nightly run (jobs): at most once per organisation day however many workers ask — the day is
 * claimed in credit_run first. Answers null when today's run was claimed already.
 */
export async function runNightlyCredit(platform: Platform, day = creditDay(platform)): Promise<ComputeSummary | null> {
  const claimed = await sql`INSERT INTO credit_run (day, started_at) VALUES (${day}::date, now()) ON CONFLICT (day) DO NOTHING RETURNING day`.execute(platform.db);
  if (!claimed.rows.length) return null;
  const summary = await computeCredit({ platform, trigger: 'nightly', day });
  await sql`UPDATE credit_run SET finished_at = now(), accounts = ${summary.accounts}, changed = ${summary.changed}, failed = ${summary.failed} WHERE day = ${day}::date`.execute(platform.db);
  return summary;
}
