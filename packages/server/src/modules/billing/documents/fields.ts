import { field } from '../../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../../platform/metadata/types.ts';
import { CURRENCY_CODES } from '../money/index.ts';

/**
 * The fields every priced document shares, so a quote, an order and an invoice carry the same
 * names and the same read-only figures. Amounts are `number` fields (numeric columns) held to
 * the currency's minor unit by the hooks; every figure is computed, never taken from input.
 */
export const currencyValues = CURRENCY_CODES.map((c) => ({ value: c, label: c }));
export const amountField = (apiName: string, label: string, helpText?: string): FieldDefinition => field(apiName, label, 'number', { readOnly: true, ...(helpText ? { helpText } : {}) });

/** What an opportunity product and a document line share: the product, how much, and at what price. */
export function productLineFields(): FieldDefinition[] {
  return [
    field('product', 'Product', 'lookup', { lookup: 'product', onDelete: 'restrict', required: true }),
    field('product_spec', 'Spec', 'lookup', { lookup: 'product_spec', onDelete: 'restrict' }),
    field('unit_of_measure', 'Unit of measure', 'lookup', { lookup: 'unit_of_measure', onDelete: 'restrict', helpText: "Defaults to the product's unit." }),
    field('description', 'Description', 'long_text'),
    field('quantity', 'Quantity', 'number', { required: true, defaultValue: 1 }),
    field('unit_price', 'Unit price', 'number', { helpText: "Empty: the account's price from its price book." }),
  ];
}

/** A document line after its product fields: list price, discounts, cost, taxes and figures. `between` goes after the discounts (a quote's optional/selected). */
export function pricedLineFields(between: FieldDefinition[] = []): FieldDefinition[] {
  return [
    field('list_price', 'List price', 'number', { readOnly: true }),
    field('price_explanation', 'Price explanation', 'long_text', { readOnly: true }),
    field('discount_percent', 'Discount %', 'percent'),
    field('discount_amount', 'Discount amount', 'number', { helpText: 'Or an amount off the line (not both).' }),
    ...between,
    field('cost', 'Unit cost', 'number', { readOnly: true }),
    field('taxes', 'Taxes', 'long_text', { readOnly: true, helpText: 'The taxes determined for the line (JSON: id, name, rate, compound).' }),
    amountField('gross', 'Gross'),
    amountField('line_discount', 'Line discount'),
    amountField('net', 'Net'),
    amountField('document_discount', 'Share of the document discount'),
    amountField('taxable', 'Taxable'),
    amountField('tax_total', 'Tax'),
    amountField('total', 'Total'),
  ];
}

/** A document header's discount and totals. */
export function documentTotalFields(): FieldDefinition[] {
  return [
    field('discount_percent', 'Discount %', 'percent', { helpText: 'Discount on the whole document, spread over the lines.' }),
    field('discount_amount', 'Discount amount', 'number', { helpText: 'Or an amount off the whole document (not both).' }),
    field('tax_inclusive', 'Prices include tax', 'boolean', { readOnly: true }),
    amountField('subtotal', 'Subtotal', 'Sum of the lines after their own discounts'),
    amountField('discount_total', 'Document discount'),
    amountField('taxable', 'Net total', 'Subtotal less the document discount, without taxes'),
    amountField('tax_total', 'Tax'),
    amountField('total', 'Total'),
  ];
}
