import type { Platform } from '../../../platform/kernel.ts';
import type { JobDefinition } from '../../../platform/jobs/boss.ts';
import { drainOnWake } from '../../../platform/jobs/wake.ts';
import { AppError } from '../../../platform/errors.ts';
import { systemActor } from '../../../platform/records/context.ts';
import { readRecord } from '../../billing/index.ts';
import { emailJobTicket, JobTicketError, printJobTicket } from './channels.ts';
import { renderJobTicket } from './pdf.ts';
import { jobTicketRoute } from './route.ts';
import { claimDueTickets, markFailed, markSent, MAX_ATTEMPTS } from './store.ts';

const BATCH = 20;

/**
 * Sends the job tickets that are due (pending ones, failed ones whose retry time has come),
 * outside any transaction: each is claimed for a while, rendered, handed to its channel, then
 * marked sent or failed with the reason and a later retry. The route is looked up again at each
 * try (same channel), so an address corrected on the order source is used by the next retry. A
 * ticket whose order is gone fails for good. Answers how many went out and how many failed.
 */
export async function sendDueJobTickets(platform: Platform): Promise<{ sent: number; failed: number }> {
  const ctx = { platform, actor: systemActor('workflow') };
  let sent = 0;
  let failed = 0;
  for (;;) {
    const due = await claimDueTickets(platform.db, BATCH);
    for (const ticket of due) {
      let target = ticket.target;
      try {
        const order = await readRecord(ctx, 'order', ticket.order_id);
        const route = await jobTicketRoute(ctx, order);
        if (route?.channel === ticket.channel) target = route.target;
        const rendered = await renderJobTicket({ ctx, orderId: ticket.order_id });
        if (ticket.channel === 'email') await emailJobTicket(platform, target, rendered);
        else if (ticket.channel === 'printer') await printJobTicket(target, rendered);
        else throw new JobTicketError(`Job tickets are not sent by ${ticket.channel} from the queue`);
        await markSent(platform.db, ticket.id, target);
        sent++;
      } catch (error) {
        const gone = error instanceof AppError && error.code === 'not_found';
        const reason = gone ? 'The order no longer exists' : error instanceof JobTicketError ? error.message : `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
        if (!(error instanceof JobTicketError) && !gone) platform.logger.error({ err: error, ticket: ticket.id }, 'job ticket could not be sent');
        else platform.logger.warn({ ticket: ticket.id, order: ticket.order_id, channel: ticket.channel, reason }, 'job ticket not sent');
        await markFailed(platform.db, gone ? { ...ticket, attempts: MAX_ATTEMPTS } : ticket, target, reason);
        failed++;
      }
    }
    if (due.length < BATCH) return { sent, failed };
  }
}

/** Sends due tickets now in this process, after the commit that queued them. */
export const wakeJobTickets = drainOnWake('orders.job-tickets', sendDueJobTickets);

/** Every minute, wherever jobs run: retries and tickets queued by another process that could not send them. */
export const jobTicketJobs: JobDefinition[] = [
  {
    name: 'orders.job-tickets',
    cron: '* * * * *',
    async run(platform) {
      const { sent, failed } = await sendDueJobTickets(platform);
      if (sent || failed) platform.logger.info({ sent, failed }, 'job tickets sent');
    },
  },
];
