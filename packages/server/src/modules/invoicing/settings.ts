import { defineSettings, setting, type SettingSpec } from '../../platform/settings.ts';
import { parseNumberFormat } from '../billing/index.ts';
import { exportSettingSpecs } from './export/settings.ts';

function numberFormat(env: string, fallback: string, what: string): SettingSpec<string> {
  return {
    env,
    default: fallback,
    doc: `${what} numbers, given when posted: {YYYY}, {YY} and {MM} of the invoice date and one {#…} counter whose width is the number of #; the counter restarts when the date part changes, so keep {YYYY} for a sequence per year`,
    parse(raw: string) {
      parseNumberFormat(raw);
      return raw.trim();
    },
  };
}

/** Invoicing's settings (docs/invoicing.md, "Settings"). */
export const invoicingSettings = defineSettings('invoicing', {
  // The accounting export (export/).
  ...exportSettingSpecs,
  invoiceNumberFormat: numberFormat('MERIDIAN_INVOICE_NUMBER_FORMAT', 'INV-{YYYY}-{#####}', 'invoice'),
  creditNoteNumberFormat: numberFormat('MERIDIAN_CREDIT_NOTE_NUMBER_FORMAT', 'CN-{YYYY}-{#####}', 'credit note'),
  // The monthly run (runs/monthly.ts): the day it runs and the zone its months are cut in.
  runDay: setting.integer('MERIDIAN_INVOICE_RUN_DAY', 1, 'day of the month (1–28) the monthly invoicing run invoices the previous month, in MERIDIAN_TIME_ZONE', { min: 1, max: 28 }),
  timeZone: {
    env: 'MERIDIAN_TIME_ZONE',
    default: 'UTC',
    doc: "the organisation's IANA time zone (e.g. America/Chicago): where a month of invoicing begins and ends",
    parse(raw: string) {
      const zone = raw.trim();
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
      } catch {
        throw new Error(`must be an IANA time zone such as Europe/Berlin, got '${raw}'`);
      }
      return zone;
    },
  } satisfies SettingSpec<string>,
  paymentInstructions: setting.text('MERIDIAN_PAYMENT_INSTRUCTIONS', '', 'how customers pay, printed on invoices (bank account, the reference to give); lines separated by |'),
});
