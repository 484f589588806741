import type { RecordFactory } from '../../platform/module.ts';

/** The smallest valid input of each billing object clients create (test factories; platform/module.ts). */
export const billingFactories: Record<string, RecordFactory> = {
  unit_of_measure: ({ unique }) => ({ code: `u${unique()}`, name: `Unit ${unique()}` }),
  tax_category: ({ unique }) => ({ name: `Category ${unique()}` }),
  tax_rate: ({ unique }) => ({ name: `Tax ${unique()}`, rate: 5 }),
  product: async ({ unique, parent }) => ({ code: `SKU-${unique()}`, name: `Product ${unique()}`, unit_of_measure: await parent('unit_of_measure') }),
  product_spec: async ({ unique, parent }) => ({ name: `Spec ${unique()}`, product: await parent('product') }),
  price_book: ({ unique }) => ({ name: `Book ${unique()}`, currency: 'USD' }),
  price_book_entry: async ({ parent }) => ({ price_book: await parent('price_book'), product: await parent('product'), unit_price: '10.00' }),
  exchange_rate: ({ unique }) => {
    // A random past date, so factories never collide on the one-rate-per-day rule.
    const n = parseInt(unique().slice(0, 6), 16) % 36_500;
    return { rate_date: new Date(Date.UTC(1950, 0, 1) + n * 86_400_000).toISOString().slice(0, 10), from_currency: 'EUR', to_currency: 'USD', rate: '1.0837' };
  },
};
