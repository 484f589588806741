import { eventHandler } from '../../../platform/events/index.ts';
import type { JobDefinition } from '../../../platform/jobs/boss.ts';
import { drainOnWake } from '../../../platform/jobs/wake.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { AppError } from '../../../platform/errors.ts';
import { asSystem, systemActor, type RecordContext } from '../../../platform/records/context.ts';
import { readRecord } from '../../billing/index.ts';
import { recordSendError, sendInvoice } from '../commands/send.ts';
import { claimDueSends, markSendDone, markSendFailed, MAX_ATTEMPTS, queueAutoSendRow } from './store.ts';

const BATCH = 20;

/**
 * `invoice.posted` → the automatic e-mail queued (seed 004 "System can send the invoice
 * automatically once it's created", the account's `invoice_auto_send`), in the outbox
 * dispatcher's transaction: the posting — one invoice by hand, or ten thousand in the monthly
 * run — never waits for a PDF or an SMTP server. Credit notes are not e-mailed automatically.
 * A redelivered event finds its row and queues nothing more.
 */
export const autoSendOnPosting = eventHandler({
  name: 'invoicing.auto_send',
  types: ['invoice.posted'],
  async run(ctx, event) {
    if (event.changes.kind?.new !== 'invoice') return;
    const account = await readRecord(asSystem(ctx), 'account', String(event.changes.account?.new), ['invoice_auto_send']);
    if (account.invoice_auto_send !== true) return;
    if (await queueAutoSendRow(ctx.trx, event.recordId, event.actor.userId)) ctx.uow.afterCommit(() => void wakeAutoSend(ctx.platform));
  },
});

/**
 * Sends the queued e-mails that are due, outside any transaction: each is claimed, then sent by
 * `sendInvoice` (its own transaction: PDF, pay link, the e-mail logged, `sent_at` stamped, the
 * message handed to SMTP last — a refused message rolls it back) as the user who posted the
 * invoice. An invoice found sent already (by hand, or by a try whose bookkeeping was lost) is
 * not sent again. A failure is kept on the row with a later retry and shown on the invoice
 * (`send_error`); an invoice gone, or no longer sendable (its status), is given up at once.
 */
export async function sendDueInvoices(platform: Platform): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (;;) {
    const due = await claimDueSends(platform.db, BATCH);
    for (const row of due) {
      // As the poster (attributed to them), with the system's reach: the setting decided, not their sharing.
      const ctx: RecordContext = { platform, actor: { ...systemActor('workflow'), userId: row.actor_id } };
      try {
        const invoice = await readRecord(ctx, 'invoice', row.invoice_id, ['sent_at']);
        if (invoice.sent_at) {
          await markSendDone(platform.db, row.invoice_id, false);
          continue;
        }
        await sendInvoice({ ctx, id: row.invoice_id });
        await markSendDone(platform.db, row.invoice_id, true);
        sent++;
      } catch (error) {
        const final = error instanceof AppError && (error.code === 'not_found' || error.code === 'conflict');
        const reason = error instanceof AppError ? [error.message, ...error.errors.map((e) => e.message)].join(': ') : `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
        platform.logger.warn({ err: error, invoice: row.invoice_id, attempt: row.attempts + 1 }, 'automatic invoice e-mail failed');
        // The invoice says why first: a row marked failed always has its reason on the invoice.
        if (!(error instanceof AppError && error.code === 'not_found')) await recordSendError(ctx, row.invoice_id, error);
        await markSendFailed(platform.db, final ? { ...row, attempts: MAX_ATTEMPTS } : row, reason);
        failed++;
      }
    }
    if (due.length < BATCH) return { sent, failed };
  }
}

/** Sends due e-mails now in this process, after the dispatch that queued them committed. */
export const wakeAutoSend = drainOnWake('invoicing.auto-send', sendDueInvoices);

/** Every minute, wherever jobs run: retries, and e-mails queued by a process that could not send them. */
export const autoSendJobs: JobDefinition[] = [
  {
    name: 'invoicing.auto-send',
    cron: '* * * * *',
    async run(platform) {
      const { sent, failed } = await sendDueInvoices(platform);
      if (sent || failed) platform.logger.info({ sent, failed }, 'queued invoice e-mails sent');
    },
  },
];
