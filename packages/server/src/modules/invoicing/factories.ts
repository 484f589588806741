import type { RecordFactory } from '../../platform/module.ts';

/** The smallest valid input of the invoice objects clients create (lines need a priced product, so they are built by the tests). */
export const invoicingFactories: Record<string, RecordFactory> = {
  invoice: async ({ parent }) => ({ account: await parent('account'), currency: 'USD' }),
};
