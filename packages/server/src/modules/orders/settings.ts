import { defineSettings, type SettingSpec } from '../../platform/settings.ts';
import { parseNumberFormat } from '../billing/index.ts';
import { EMAIL_RE } from '../../platform/records/values.ts';

/** Order settings (docs/orders.md). */
export const orderSettings = defineSettings('orders', {
  orderNumberFormat: {
    env: 'MERIDIAN_ORDER_NUMBER_FORMAT',
    default: 'SO-{YYYY}-{#####}',
    doc: 'order numbers: {YYYY}, {YY} and {MM} of the creation date and one {#…} counter; the counter restarts when the date part changes',
    parse(raw: string) {
      parseNumberFormat(raw);
      return raw.trim();
    },
  } satisfies SettingSpec<string>,
  jobTicketEmail: {
    env: 'MERIDIAN_JOB_TICKET_EMAIL',
    default: undefined,
    doc: "where job tickets of orders without an order source are e-mailed (empty: nowhere); a source's own production channel wins",
    parse(raw: string) {
      const address = raw.trim();
      if (!EMAIL_RE.test(address)) throw new Error(`must be an e-mail address, got '${raw}'`);
      return address;
    },
  } satisfies SettingSpec<string | undefined>,
});
