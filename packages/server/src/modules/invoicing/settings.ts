import { defineSettings, setting, type SettingSpec } from '../../platform/settings.ts';
import { parseNumberFormat } from '../billing/index.ts';

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
  invoiceNumberFormat: numberFormat('MERIDIAN_INVOICE_NUMBER_FORMAT', 'INV-{YYYY}-{#####}', 'invoice'),
  creditNoteNumberFormat: numberFormat('MERIDIAN_CREDIT_NOTE_NUMBER_FORMAT', 'CN-{YYYY}-{#####}', 'credit note'),
  paymentInstructions: setting.text('MERIDIAN_PAYMENT_INSTRUCTIONS', '', 'how customers pay, printed on invoices (bank account, the reference to give); lines separated by |'),
});
