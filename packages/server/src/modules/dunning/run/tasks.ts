import { sql } from 'kysely';
import { eventHandler } from '../../../platform/events/index.ts';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { tableOf } from '../../billing/index.ts';

/** What the run puts on a final notice's `dunning_reminder.sent` event for its task. */
export interface FinalNotice {
  account: string;
  account_name: string;
  manager: string | null;
  level_name: string;
  to: string;
  day: string;
  reminders: string[];
}

/**
 * The last level's task for the account manager (else the account's owner), made from the
 * `dunning_reminder.sent` event of a final notice in the outbox dispatcher's transaction — not in
 * the run: a run sending ten thousand final notices is done when the e-mails are out, and each
 * task, going through activities' rules, follows within the dispatch (each under its own
 * savepoint: one refused task never holds up the others). Idempotent: a reminder that has its
 * task already is skipped, so a redelivered event makes none.
 */
export async function createFinalNoticeTask(ctx: TxContext, notice: FinalNotice): Promise<string | null> {
  const reminders = tableOf(ctx, 'dunning_reminder');
  const rows = (await sql<{ id: string; task_id: string | null; number: string | null; invoice_id: string; open_amount: string; currency: string; due_date: string | null; days_overdue: number }>`
    SELECT r.id, r.task_id, i.number, r.invoice_id, r.open_amount::text AS open_amount, r.currency, i.due_date::text AS due_date, r.days_overdue::int AS days_overdue
    FROM ${reminders} r JOIN ${tableOf(ctx, 'invoice')} i ON i.id = r.invoice_id
    WHERE r.id = ANY(${notice.reminders}::uuid[]) ORDER BY i.due_date, i.number FOR UPDATE OF r`.execute(ctx.trx)).rows;
  if (!rows.length || rows.some((r) => r.task_id)) return null;
  const lines = rows.map((r) => `- ${r.number ?? r.invoice_id}: ${r.open_amount} ${r.currency} open, due ${r.due_date ?? '—'} (${r.days_overdue} days ago)`);
  const task = await createRecord({
    ctx: asSystem(ctx), object: ctx.platform.registry.requireObject('task'),
    input: {
      subject: `Call ${notice.account_name} about overdue invoices (${notice.level_name})`.slice(0, 255),
      description: [`"${notice.level_name}" was sent to ${notice.to} on ${notice.day} for:`, ...lines, '', 'Call the customer about payment.'].join('\n'),
      due_date: notice.day, priority: 'high', account: notice.account,
      ...(notice.manager ? { owner: notice.manager } : {}),
    },
  });
  await sql`UPDATE ${reminders} SET task_id = ${task.id}::uuid WHERE id = ANY(${rows.map((r) => r.id)}::uuid[])`.execute(ctx.trx);
  return task.id;
}

export const finalNoticeTasks = eventHandler({
  name: 'dunning.final_notice_tasks',
  types: ['dunning_reminder.sent'],
  async run(ctx, event) {
    const data = Object.fromEntries(Object.entries(event.changes).map(([k, v]) => [k, v.new])) as Record<string, unknown>;
    if (!data.final_notice) return;
    await createFinalNoticeTask(ctx, data.final_notice as FinalNotice);
  },
});
