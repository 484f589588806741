import type { JobDefinition } from '../../../platform/jobs/boss.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { registerEventSubscriber } from '../../../platform/events/index.ts';
import { invoicesFromOrders } from './perOrder.ts';
import { runMonthlyIfDue } from './monthly.ts';
import { autoSendJobs, autoSendOnPosting } from '../send/queue.ts';

/**
 * The invoicing options (seed 004): per PO and manual when an order completes (perOrder.ts), per
 * month by the run (monthly.ts), whose records (invoice_run) only the run writes (writtenBySystem).
 */
export { invoiceRun } from './objects.ts';
export { registerRunRoutes, RUN_INVOICES } from './routes.ts';
export { runMonthlyInvoicing, previousMonth } from './monthly.ts';
export { invoiceCompletedOrder } from './perOrder.ts';

export async function startRuns(platform: Platform): Promise<void> {
  registerEventSubscriber(platform, invoicesFromOrders);
  registerEventSubscriber(platform, autoSendOnPosting);
}

export const runJobs: JobDefinition[] = [
  {
    name: 'invoicing.monthly-run',
    cron: '20 * * * *', // hourly: runs on the run day, once per month
    async run(platform) {
      const run = await runMonthlyIfDue(platform);
      if (run) platform.logger.info({ period: run.period, invoices: run.invoices, failed: run.failed_accounts }, 'monthly invoicing run finished');
    },
  },
  ...autoSendJobs,
];
