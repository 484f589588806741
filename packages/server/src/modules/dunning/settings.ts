import { defineSettings, setting } from '../../platform/settings.ts';

/** Dunning's settings (docs/operations.md, "Payment reminders"). The days are counted in invoicing's MERIDIAN_TIME_ZONE. */
export const dunningSettings = defineSettings('dunning', {
  hour: setting.integer('MERIDIAN_DUNNING_HOUR', 8, 'hour of the day (0–23, in MERIDIAN_TIME_ZONE) the daily payment reminder run starts', { min: 0, max: 23 }),
  claimTimeoutMinutes: setting.integer('MERIDIAN_DUNNING_CLAIM_TIMEOUT_MINUTES', 15, 'minutes after which a reminder claimed by a run that stopped (a killed worker) is taken over and sent by the next run', { min: 1 }),
  maxAttempts: setting.integer('MERIDIAN_DUNNING_MAX_ATTEMPTS', 3, 'times a reminder the SMTP server refused is tried (one try per run) before it is marked failed', { min: 1 }),
});
