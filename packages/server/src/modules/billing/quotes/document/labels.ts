import type { QuoteDocumentLabels } from './view.ts';

/**
 * The words on a quote. English for now: numbers, amounts and dates follow the customer's
 * locale (format.ts); translated labels can be added as further sets chosen by the same locale.
 */
export const ENGLISH_LABELS = {
  document: 'Quote',
  date: 'Date',
  validUntil: 'Valid until',
  currency: 'Currency',
  preparedBy: 'Prepared by',
  billTo: 'Customer',
  columns: { position: '#', item: 'Item', quantity: 'Qty', unit: 'Unit', unitPrice: 'Unit price', discount: 'Discount', amount: 'Amount' },
  subtotal: 'Subtotal',
  discount: 'Discount',
  net: 'Net total',
  tax: 'Tax',
  taxTotal: 'Total tax',
  total: 'Total',
  pricesIncludeTax: 'Prices include tax.',
  optionalTaken: 'Optional item, included',
  optionalNotTaken: 'Optional item, not included in the total',
  terms: 'Terms',
  acceptance: 'Acceptance',
  acceptedBy: 'Accepted by {name} on {date}',
  signatureFields: { name: 'Name', signature: 'Signature', date: 'Date' },
  page: 'Page {n} of {m}',
} as const satisfies QuoteDocumentLabels;
