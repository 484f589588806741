import type { RecordFactory } from '../../../platform/module.ts';

/** The smallest valid input of the quote objects clients create (lines need a priced product, so they are built by the tests). */
export const quoteFactories: Record<string, RecordFactory> = {
  quote_terms: ({ unique }) => ({ name: `Terms ${unique()}`, body: 'Payment within 30 days.' }),
  email_template: ({ unique }) => ({ name: `Template ${unique()}`, subject: 'Quote {{ quote.number }}', body: 'Hello {{ contact.first_name }},\n\n{{ link }}' }),
  quote: async ({ parent }) => ({ account: await parent('account'), currency: 'USD' }),
};
