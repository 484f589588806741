import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';
import type { Platform } from '../../platform/kernel.ts';
import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { invoicingSettings } from '../invoicing/index.ts';
import { registerCreditChecks } from './check.ts';
import { startCreditApprovals } from './approval.ts';
import { runNightlyCredit } from './commands/compute.ts';
import { creditSettings } from './settings.ts';

/** Credit's migrations (ids `credit/<id>`): its own tables — the latest computation per account, and the nightly run's claim per day. */
export const creditMigrations: ModuleMigration[] = [
  {
    id: '0001_computation',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS credit_computation (
        account_id uuid PRIMARY KEY, computed_at timestamptz NOT NULL, currency text NOT NULL, credit_limit numeric NOT NULL,
        behaviour text, inputs text NOT NULL, steps text NOT NULL, explanation text NOT NULL)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS credit_run (
        day date PRIMARY KEY, started_at timestamptz NOT NULL, finished_at timestamptz, accounts int, changed int, failed int)`.execute(trx);
    },
  },
];

export async function startCredit(platform: Platform): Promise<void> {
  registerCreditChecks(platform);
  await startCreditApprovals(platform);
}

/** Hourly check; computes in the hour MERIDIAN_CREDIT_HOUR of the organisation's zone, once per day (credit_run). */
export const creditJobs: JobDefinition[] = [
  {
    name: 'credit.nightly',
    cron: '35 * * * *',
    async run(platform) {
      const zone = invoicingSettings.of(platform).timeZone;
      const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
      if (hour !== creditSettings.of(platform).hour) return;
      const summary = await runNightlyCredit(platform);
      if (summary) platform.logger.info({ accounts: summary.accounts, changed: summary.changed, failed: summary.failed }, 'credit limits computed');
    },
  },
];
