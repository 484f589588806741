import { defineSettings, setting } from '../../platform/settings.ts';

/** Credit's settings (docs/credit.md, docs/operations.md). */
export const creditSettings = defineSettings('credit', {
  startingLimit: setting.number('MERIDIAN_CREDIT_STARTING_LIMIT', 1000, "credit limit of an account without payment history (no invoice due yet), in the account's currency", { min: 0 }),
  monthsOfSpending: setting.number('MERIDIAN_CREDIT_MONTHS_OF_SPENDING', 2, "how many months of the account's average invoicing a good payer's limit covers", { min: 0 }),
  step: setting.number('MERIDIAN_CREDIT_STEP', 100, 'credit limits are rounded down to a multiple of this amount', { min: 0.01 }),
  hour: setting.integer('MERIDIAN_CREDIT_HOUR', 2, 'hour of the day (0–23, in MERIDIAN_TIME_ZONE) the nightly credit limit computation runs', { min: 0, max: 23 }),
});
