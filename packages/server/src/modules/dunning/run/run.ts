import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import type { SendMailOptions } from 'nodemailer';
import type { Platform } from '../../../platform/kernel.ts';
import { AppError } from '../../../platform/errors.ts';
import { todayIn } from '../../../platform/dates.ts';
import { canSendMail, sendMail } from '../../../platform/mail.ts';
import { asSystem, inTransaction, systemActor, type RecordContext } from '../../../platform/records/context.ts';
import { recordEvents } from '../../../platform/records/history.ts';
import { billingSettings, tableOf } from '../../billing/index.ts';
import { invoicingSettings, payLinksOf } from '../../invoicing/index.ts';
import { dunningSettings } from '../settings.ts';
import { reminderData, renderReminder, type ReminderInvoice, type ReminderLevel } from '../templates.ts';
import { loadConfig, type DunningConfig } from './config.ts';
import { accountsOf, candidatesOf, overdueAccountPages, remindable, type AccountInfo } from './select.ts';
import type { FinalNotice } from './tasks.ts';

export type Mailer = (message: SendMailOptions) => Promise<unknown>;

export interface DunningRunOptions {
  platform: Platform;
  /** Who started it (a user's run is attributed to them); the schedule runs as the system. */
  actor?: RecordContext['actor'];
  /** The day to remind for (YYYY-MM-DD); default today in MERIDIAN_TIME_ZONE. */
  day?: string;
  /** Where messages go; default the platform's SMTP server (benchmarks count instead). */
  mailer?: Mailer;
  /** Test hook: runs after a page's claims committed, before its e-mails; throwing stands for a worker killed there. */
  afterClaim?: () => void | Promise<void>;
  /** Test hook: runs after an e-mail was handed to SMTP, before it is marked sent. */
  afterSend?: () => void | Promise<void>;
}

export interface DunningRunResult {
  day: string;
  /** E-mails handed to SMTP (one per account and level). */
  emails: number;
  /** Invoice reminders those e-mails carried. */
  reminders: number;
  /** Reminders the SMTP server refused (tried again by the next run, up to MERIDIAN_DUNNING_MAX_ATTEMPTS). */
  refused: number;
  /** Claims of a stopped run taken over and sent by this one. */
  recovered: number;
  /** Claims dropped because the invoice no longer needs a reminder (paid, disputed, excluded) by the time they were sent. */
  cancelled: number;
  /** Final notices sent: each gives the account manager a task, made from its event by the outbox dispatcher (run/tasks.ts). */
  tasks: number;
}

/** E-mails per commit pair (sending, sent): at most this many are "may have been sent" after a crash. */
const CHUNK = 50;

interface Claim {
  id: string;
  account: string;
  invoice: ReminderInvoice;
  level: ReminderLevel;
}

/**
 * The dunning run (docs/dunning.md): for every account with overdue invoices, one e-mail per
 * level due, listing the invoices at that level with their pay links.
 *
 * Delivery is at most once per (invoice, level), in three commits:
 *
 *   1. claim    — per page of accounts, under one advisory lock, the due (invoice, level) pairs
 *                 are inserted `pending` with this run's token (`ON CONFLICT DO NOTHING` on the
 *                 unique (invoice, level)); a second worker finds them claimed and sends nothing.
 *   2. sending  — per chunk of up to 50 e-mails, their claims move pending → sending (only
 *                 while still this run's), committed before the messages are handed to SMTP;
 *   3. sent     — after SMTP took them (per chunk, with the `dunning_reminder.sent` events).
 *
 * A worker killed after 1 leaves `pending` claims: no e-mail left for them, so the next run
 * (after MERIDIAN_DUNNING_CLAIM_TIMEOUT_MINUTES) takes them over and sends them — once. Killed
 * after 2, it leaves `sending` claims (at most one chunk): SMTP may or may not have the message, so they are marked
 * `failed` ("may have been sent") and never resent — a customer never gets a reminder twice;
 * the rare loss is visible on the reminder. A refused message goes back to `pending` for the
 * next run, up to MERIDIAN_DUNNING_MAX_ATTEMPTS.
 */
export async function runDunning(options: DunningRunOptions): Promise<DunningRunResult> {
  const { platform } = options;
  const mailer: Mailer = options.mailer ?? ((message) => sendMail(platform, message));
  if (!options.mailer && !canSendMail(platform)) throw new AppError('unavailable', 'E-mail is not set up on this server (MERIDIAN_SMTP_URL): payment reminders cannot be sent');
  const ctx: RecordContext = { platform, actor: asSystem({ actor: options.actor ?? systemActor('workflow') }).actor };
  const day = options.day ?? todayIn(invoicingSettings.of(platform).timeZone);
  const token = uuidv7();
  const result: DunningRunResult = { day, emails: 0, reminders: 0, refused: 0, recovered: 0, cancelled: 0, tasks: 0 };
  const config = await loadConfig(ctx);
  const send = new Sender(ctx, { token, day, mailer, result, afterSend: options.afterSend });

  // Claims a stopped run left behind.
  const recovered = await recoverClaims(ctx, { token, config, day });
  result.recovered = recovered.claims.length;
  result.cancelled += recovered.cancelled;
  if (recovered.claims.length) await send.page(recovered.claims, recovered.accounts);

  if (!Number.isFinite(config.minDays)) return result;
  const locale = billingSettings.of(platform).documentLocale ?? 'en-US';
  for await (const accounts of overdueAccountPages(ctx, { day, config, locale })) {
    const claims = await inTransaction(ctx, async (tx) => {
      // One claimer at a time: a second worker waits here, then sees the first one's claims.
      await sql`SELECT pg_advisory_xact_lock(hashtext('meridian.dunning.claim'))`.execute(tx.trx);
      const candidates = await candidatesOf(tx, { day, config, accounts });
      return claim(tx, { token, candidates });
    });
    await options.afterClaim?.();
    if (claims.length) await send.page(claims, accounts);
  }
  return result;
}

/** Inserts the claims set-based; answers those this run got (the others were claimed by someone else). */
async function claim(ctx: RecordContext & { trx: NonNullable<RecordContext['trx']> }, args: { token: string; candidates: Array<Omit<Claim, 'id'>> }): Promise<Claim[]> {
  if (!args.candidates.length) return [];
  const c = args.candidates;
  const user = ctx.actor.userId;
  const r = await sql<{ id: string; invoice_id: string }>`INSERT INTO ${tableOf(ctx, 'dunning_reminder')}
      (id, owner_id, created_by, updated_by, name, account_id, invoice_id, schedule_id, dunning_level_id, level, days_overdue, open_amount, currency, fee, status, claimed_at, claim_token, attempts)
    SELECT x.id, ${user}::uuid, ${user}::uuid, ${user}::uuid, x.name, x.account_id, x.invoice_id, x.schedule_id, x.level_id, x.level, x.days, x.open_amount, x.currency, x.fee, 'pending', now(), ${args.token}, 0
    FROM unnest(${c.map(() => uuidv7())}::uuid[], ${c.map((x) => `${x.level.name} · ${x.invoice.number ?? ''}`.slice(0, 255))}::text[], ${c.map((x) => x.account)}::uuid[],
      ${c.map((x) => x.invoice.id)}::uuid[], ${c.map((x) => x.level.schedule)}::uuid[], ${c.map((x) => x.level.id)}::uuid[], ${c.map((x) => x.level.level)}::int[],
      ${c.map((x) => x.invoice.days_overdue)}::int[], ${c.map((x) => x.invoice.open_amount)}::numeric[], ${c.map((x) => x.invoice.currency)}::text[], ${c.map((x) => x.level.fee)}::numeric[])
      AS x(id, name, account_id, invoice_id, schedule_id, level_id, level, days, open_amount, currency, fee)
    ON CONFLICT (invoice_id, level) DO NOTHING RETURNING id, invoice_id`.execute(ctx.trx);
  const byInvoice = new Map(c.map((x) => [x.invoice.id, x]));
  return r.rows.map((row) => ({ ...byInvoice.get(row.invoice_id)!, id: row.id }));
}

/**
 * A stopped run's claims: `sending` ones are marked failed (the message may have left; never
 * resent), `pending` ones older than the claim timeout — or given back after a refusal — are
 * taken over by this run, re-read (an invoice paid or disputed since is cancelled).
 */
async function recoverClaims(ctx: RecordContext, args: { token: string; config: DunningConfig; day: string }): Promise<{ claims: Claim[]; accounts: Map<string, AccountInfo>; cancelled: number }> {
  const { claimTimeoutMinutes } = dunningSettings.of(ctx.platform);
  const reminders = tableOf(ctx, 'dunning_reminder');
  const db = ctx.platform.db;
  await sql`UPDATE ${reminders} SET status = 'failed', updated_at = now(), version = version + 1,
      error = 'The run sending this reminder stopped while handing it to the e-mail server; it may have been sent, so it is not sent again'
    WHERE status = 'sending' AND claimed_at < now() - make_interval(mins => ${claimTimeoutMinutes})`.execute(db);
  const taken = (await sql<{ id: string; invoice_id: string; dunning_level_id: string | null; account_id: string }>`UPDATE ${reminders}
      SET claim_token = ${args.token}, claimed_at = now(), updated_at = now(), version = version + 1
    WHERE status = 'pending' AND (claim_token IS NULL OR claimed_at < now() - make_interval(mins => ${claimTimeoutMinutes}))
    RETURNING id, invoice_id, dunning_level_id, account_id`.execute(db)).rows;
  if (!taken.length) return { claims: [], accounts: new Map(), cancelled: 0 };
  const levels = new Map([...args.config.levels.values()].flat().map((l) => [l.id, l]));
  const accounts = await accountsOf(ctx, [...new Set(taken.map((t) => t.account_id))], args.config, billingSettings.of(ctx.platform).documentLocale ?? 'en-US');
  const open = new Map((await sql<{ id: string; number: string | null; invoice_date: string | null; due_date: string; open_amount: string; total: string; currency: string; days: number }>`
    SELECT i.id, i.number, i.invoice_date::text, i.due_date::text, i.open_amount::text, i.total::text, i.currency, (${args.day}::date - i.due_date)::int AS days
    FROM ${tableOf(ctx, 'invoice')} i WHERE i.id = ANY(${taken.map((t) => t.invoice_id)}::uuid[]) AND ${remindable()}`.execute(db)).rows.map((r) => [r.id, r]));
  const claims: Claim[] = [];
  const cancel: string[] = [];
  for (const t of taken) {
    const invoice = open.get(t.invoice_id);
    const level = t.dunning_level_id ? levels.get(t.dunning_level_id) : undefined;
    const account = accounts.get(t.account_id);
    if (!invoice || !level || !account || account.excluded || !account.email) {
      cancel.push(t.id);
      continue;
    }
    claims.push({ id: t.id, account: t.account_id, level, invoice: { ...invoice, days_overdue: invoice.days, pay_link: null } });
  }
  if (cancel.length) {
    await sql`UPDATE ${reminders} SET status = 'cancelled', updated_at = now(), version = version + 1, error = 'No longer due when it was to be sent (paid, disputed, excluded or the level removed)'
      WHERE id = ANY(${cancel}::uuid[])`.execute(db);
  }
  return { claims, accounts, cancelled: cancel.length };
}

interface Mail {
  account: AccountInfo;
  level: ReminderLevel;
  claims: Claim[];
  to: string;
  subject: string;
}

/** Sends a page of claims: one e-mail per account and level, then their outcome in one commit. */
class Sender {
  private readonly ctx: RecordContext;
  private readonly args: { token: string; day: string; mailer: Mailer; result: DunningRunResult; afterSend: (() => void | Promise<void>) | undefined };
  constructor(ctx: RecordContext, args: Sender['args']) {
    this.ctx = ctx;
    this.args = args;
  }

  async page(claims: Claim[], accounts: Map<string, AccountInfo>): Promise<void> {
    const { platform } = this.ctx;
    const links = await payLinksOf({ platform }, claims.map((c) => c.invoice.id));
    const groups = new Map<string, Claim[]>();
    for (const c of claims) {
      c.invoice.pay_link = links.get(c.invoice.id) ?? null;
      const key = `${c.account}|${c.level.id}`;
      const g = groups.get(key);
      if (g) g.push(c);
      else groups.set(key, [c]);
    }
    const company = billingSettings.of(platform).companyName;
    const all = [...groups.values()];
    for (let i = 0; i < all.length; i += CHUNK) await this.chunk(all.slice(i, i + CHUNK), accounts, company);
  }

  /**
   * Up to CHUNK e-mails: their claims pending → sending in one commit (only claims still this
   * run's), the messages handed to SMTP one by one, then their outcome in one commit. A worker
   * killed in between leaves at most CHUNK e-mails "may have been sent".
   */
  private async chunk(groups: Claim[][], accounts: Map<string, AccountInfo>, company: string): Promise<void> {
    const { platform } = this.ctx;
    const reminders = tableOf(this.ctx, 'dunning_reminder');
    const sent: Mail[] = [];
    const refused: Array<{ ids: string[]; error: string }> = [];
    const render = (claims: Claim[]) => renderReminder(claims[0]!.level, reminderData({ account: accounts.get(claims[0]!.account)!, level: claims[0]!.level, invoices: claims.map((c) => c.invoice), company, today: this.args.day }));
    const ready: Array<{ claims: Claim[]; rendered: Awaited<ReturnType<typeof render>> }> = [];
    for (const group of groups) {
      try {
        ready.push({ claims: group, rendered: await render(group) });
      } catch (error) {
        refused.push({ ids: group.map((c) => c.id), error: `The template cannot be used: ${(error as Error).message}` });
      }
    }
    const ids = ready.flatMap((r) => r.claims.map((c) => c.id));
    const mine = ids.length
      ? new Set((await sql<{ id: string }>`UPDATE ${reminders} SET status = 'sending', attempts = attempts + 1, updated_at = now(), version = version + 1
          WHERE id = ANY(${ids}::uuid[]) AND status = 'pending' AND claim_token = ${this.args.token} RETURNING id`.execute(platform.db)).rows.map((r) => r.id))
      : new Set<string>();
    for (const r of ready) {
      const account = accounts.get(r.claims[0]!.account)!;
      const level = r.claims[0]!.level;
      const to = account.email!;
      const claims = r.claims.filter((c) => mine.has(c.id));
      if (!claims.length) continue;
      const rendered = claims.length === r.claims.length ? r.rendered : await render(claims);
      try {
        await this.args.mailer({ from: platform.config.smtpFrom, to, subject: rendered.subject, text: rendered.text, html: rendered.html });
      } catch (error) {
        platform.logger.warn({ err: error, account: account.id }, 'payment reminder refused by SMTP');
        refused.push({ ids: claims.map((c) => c.id), error: `The e-mail server did not take the message: ${(error as Error).message}`.slice(0, 2000) });
        continue;
      }
      await this.args.afterSend?.();
      sent.push({ account, level, claims, to, subject: rendered.subject });
    }
    await this.record(sent, refused);
  }

  private async record(sent: Mail[], refused: Array<{ ids: string[]; error: string }>): Promise<void> {
    const { platform } = this.ctx;
    const reminders = tableOf(this.ctx, 'dunning_reminder');
    const { maxAttempts } = dunningSettings.of(platform);
    const object = platform.registry.requireObject('dunning_reminder');
    await inTransaction(this.ctx, async (tx) => {
      // The chunk's outcome in two statements, whatever its size: every claim sent, one event per e-mail.
      const rows = sent.flatMap((m) => m.claims.map((c) => ({ id: c.id, to: m.to, subject: m.subject.slice(0, 255) })));
      if (rows.length) {
        await sql`UPDATE ${reminders} r SET status = 'sent', sent_at = now(), error = NULL, to_address = x.to_address, subject = x.subject, updated_at = now(), version = r.version + 1
          FROM unnest(${rows.map((x) => x.id)}::uuid[], ${rows.map((x) => x.to)}::text[], ${rows.map((x) => x.subject)}::text[]) AS x(id, to_address, subject)
          WHERE r.id = x.id`.execute(tx.trx);
      }
      await recordEvents({
        ctx: tx, type: 'dunning_reminder.sent', object,
        events: sent.map((m) => ({
          recordId: m.claims[0]!.id,
          data: {
            account: m.account.id, level: m.level.level, level_name: m.level.name, to: m.to, subject: m.subject, invoices: m.claims.map((c) => c.invoice.id), reminders: m.claims.map((c) => c.id), fee: m.level.fee,
            // The last level: the account manager's task is made from this event (run/tasks.ts).
            final_notice: m.level.creates_task
              ? ({ account: m.account.id, account_name: m.account.name, manager: m.account.manager ?? null, level_name: m.level.name, to: m.to, day: this.args.day, reminders: m.claims.map((c) => c.id) } satisfies FinalNotice)
              : null,
          },
        })),
      });
      for (const r of refused) {
        await sql`UPDATE ${reminders} SET status = CASE WHEN attempts >= ${maxAttempts} THEN 'failed' ELSE 'pending' END, claim_token = NULL, error = ${r.error},
            updated_at = now(), version = version + 1 WHERE id = ANY(${r.ids}::uuid[])`.execute(tx.trx);
      }
    });
    this.args.result.emails += sent.length;
    this.args.result.reminders += sent.reduce((n, m) => n + m.claims.length, 0);
    this.args.result.refused += refused.reduce((n, r) => n + r.ids.length, 0);
    // Their tasks follow from the events (run/tasks.ts).
    this.args.result.tasks += sent.filter((m) => m.level.creates_task).length;
  }
}
