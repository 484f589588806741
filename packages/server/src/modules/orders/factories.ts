import type { RecordFactory } from '../../platform/module.ts';

/** The smallest valid input of the order objects clients create (lines need a priced product, so tests build them). */
export const orderFactories: Record<string, RecordFactory> = {
  order: async ({ parent }) => ({ account: await parent('account'), currency: 'USD' }),
};
