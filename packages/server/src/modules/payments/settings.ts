import { defineSettings } from '../../platform/settings.ts';
import { parseNumberFormat } from '../billing/index.ts';

/** The payments module's settings (docs/payments.md, "Settings"). */
export const paymentSettings = defineSettings('payments', {
  numberFormat: {
    env: 'MERIDIAN_PAYMENT_NUMBER_FORMAT',
    default: 'PAY-{YYYY}-{#####}',
    doc: 'payment numbers: {YYYY}, {YY} and {MM} of the payment date and one {#…} counter',
    parse(raw: string) {
      parseNumberFormat(raw);
      return raw.trim();
    },
  },
});
