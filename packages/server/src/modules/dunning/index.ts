import { defineModule } from '../../platform/module.ts';
import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { todayIn } from '../../platform/dates.ts';
import { canSendMail } from '../../platform/mail.ts';
import { invoicingSettings } from '../invoicing/index.ts';
import { accountFields, dunningObjects, invoiceFields } from './objects.ts';
import { registerDunningHooks } from './hooks.ts';
import { registerDunningRoutes, RUN_REMINDERS } from './routes.ts';
import { dunningMigrations, startDunning } from './startup.ts';
import { dunningSettings } from './settings.ts';
import { runDunning } from './run/run.ts';

/** The daily run: hourly check, runs in the hour MERIDIAN_DUNNING_HOUR of the organisation's zone (a second worker's run sends nothing twice). */
const dunningJobs: JobDefinition[] = [
  {
    name: 'dunning.daily-run',
    cron: '5 * * * *',
    async run(platform) {
      const zone = invoicingSettings.of(platform).timeZone;
      const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
      if (hour !== dunningSettings.of(platform).hour || !canSendMail(platform)) return;
      const result = await runDunning({ platform, day: todayIn(zone) });
      platform.logger.info(result, 'payment reminder run finished');
    },
  },
];

/**
 * Dunning (docs/dunning.md): payment reminder schedules and levels, the daily run that e-mails
 * each account its overdue invoices at the level they reached (never a level twice), the dry
 * run, disputes, and a task for the account manager at the last level.
 */
export const dunningModule = defineModule({
  name: 'dunning',
  objects: dunningObjects,
  // After sales, activities and invoicing in the composition root: it adds to account and invoice.
  fieldsFor: { account: accountFields, invoice: invoiceFields },
  hooks: registerDunningHooks,
  routes: registerDunningRoutes,
  jobs: dunningJobs,
  migrations: dunningMigrations,
  settings: dunningSettings,
  startup: startDunning,
  capabilities: [{ name: RUN_REMINDERS, label: 'Run payment reminders', description: 'Send the payment reminders due now by hand and see the dry run of what would be sent' }],
  events: [{ type: 'dunning_reminder.sent', description: 'A payment reminder e-mail went to an account (level, recipient, subject, the invoices it listed, fee)' }],
  factories: {
    dunning_schedule: ({ unique }) => ({ name: `Schedule ${unique()}` }),
    // Unique texts: the access walk treats a factory's values as secrets that must not show elsewhere.
    dunning_level: async ({ parent, unique }) => ({ name: `Level ${unique()}`, schedule: await parent('dunning_schedule'), level: 7, days_overdue: 5, subject: `Notice ${unique()} {{ account.name }}`, body: `Please pay {{ total }} (${unique()}).` }),
  },
});

export { runDunning, type DunningRunOptions, type DunningRunResult } from './run/run.ts';
export { previewDunning } from './run/preview.ts';
export { setInvoiceDispute } from './commands/dispute.ts';
export { RUN_REMINDERS } from './routes.ts';
