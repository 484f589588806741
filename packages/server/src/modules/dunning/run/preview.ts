import { asSystem, systemActor, type RecordContext } from '../../../platform/records/context.ts';
import { todayIn } from '../../../platform/dates.ts';
import { billingSettings } from '../../billing/index.ts';
import { invoicingSettings, payLinksOf } from '../../invoicing/index.ts';
import { reminderData, renderReminder } from '../templates.ts';
import { loadConfig } from './config.ts';
import { candidatesOf, overdueAccountPages } from './select.ts';

export interface PreviewMail {
  account: { id: string; name: string };
  to: string;
  level: { id: string; level: number; name: string; fee: number | null; createsTask: boolean };
  invoices: Array<{ id: string; number: string | null; due_date: string; days_overdue: number; open_amount: string; currency: string; pay_link: string | null }>;
  subject: string;
  text: string;
}

export interface DunningPreview {
  day: string;
  mails: PreviewMail[];
  /** More would be sent than the limit listed. */
  more: boolean;
  /** Accounts with overdue invoices that get nothing, and why. */
  skipped: Array<{ account: { id: string; name: string }; reason: 'excluded' | 'no_email' | 'no_schedule' }>;
}

/**
 * The dry run: what the run would send on `day` (default today), e-mail by e-mail with the
 * rendered subject and body — the same selection, without claiming or sending anything.
 */
export async function previewDunning(args: { ctx: RecordContext; day?: string; limit?: number }): Promise<DunningPreview> {
  const { platform } = args.ctx;
  const ctx: RecordContext = { platform, actor: asSystem({ actor: args.ctx.actor ?? systemActor() }).actor };
  const day = args.day ?? todayIn(invoicingSettings.of(platform).timeZone);
  const limit = args.limit ?? 50;
  const config = await loadConfig(ctx);
  const out: DunningPreview = { day, mails: [], more: false, skipped: [] };
  if (!Number.isFinite(config.minDays)) return out;
  const company = billingSettings.of(platform).companyName;
  const locale = billingSettings.of(platform).documentLocale ?? 'en-US';
  for await (const accounts of overdueAccountPages(ctx, { day, config, locale })) {
    for (const a of accounts.values()) {
      const reason = a.excluded ? 'excluded' : !a.email ? 'no_email' : !a.schedule || !config.levels.get(a.schedule)?.length ? 'no_schedule' : null;
      if (reason && out.skipped.length < limit) out.skipped.push({ account: { id: a.id, name: a.name }, reason });
    }
    const candidates = await candidatesOf(ctx, { day, config, accounts });
    const links = await payLinksOf({ platform }, candidates.map((c) => c.invoice.id));
    const groups = new Map<string, typeof candidates>();
    for (const c of candidates) {
      c.invoice.pay_link = links.get(c.invoice.id) ?? null;
      const key = `${c.account}|${c.level.id}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    for (const group of groups.values()) {
      if (out.mails.length >= limit) {
        out.more = true;
        return out;
      }
      const account = accounts.get(group[0]!.account)!;
      const level = group[0]!.level;
      const invoices = group.map((c) => c.invoice);
      let rendered: { subject: string; text: string };
      try {
        rendered = await renderReminder(level, reminderData({ account, level, invoices, company, today: day }));
      } catch (error) {
        rendered = { subject: '(the template cannot be used)', text: (error as Error).message };
      }
      out.mails.push({
        account: { id: account.id, name: account.name }, to: account.email!,
        level: { id: level.id, level: level.level, name: level.name, fee: level.fee, createsTask: level.creates_task },
        invoices: invoices.map((i) => ({ id: i.id, number: i.number, due_date: i.due_date, days_overdue: i.days_overdue, open_amount: i.open_amount, currency: i.currency, pay_link: i.pay_link })),
        subject: rendered.subject, text: rendered.text,
      });
    }
  }
  return out;
}
