import { defineSettings, type SettingSpec } from '../../platform/settings.ts';
import { parseNumberFormat } from '../billing/index.ts';

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
});
