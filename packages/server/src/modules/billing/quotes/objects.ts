import { defineObject, field } from '../../../platform/metadata/define.ts';
import { amountField, currencyValues, pricedLineFields, productLineFields } from '../documents/fields.ts';

/**
 * Quotes (SAL-12) and opportunity products (SAL-8). Amounts are `number` fields (numeric columns)
 * held to the currency's minor unit by the hooks, like the rest of billing. Every total is
 * read-only: the hooks compute it with the money kernel on every save and never take it from
 * input. Status moves only through the named commands (commands/*.ts).
 */
const amount = amountField;

export const QUOTE_STATUSES = ['draft', 'pending_approval', 'approved', 'sent', 'viewed', 'accepted', 'declined', 'expired', 'superseded'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

export const opportunityLine = defineObject({
  apiName: 'opportunity_line',
  accessFrom: 'opportunity',
  label: 'Opportunity product',
  pluralLabel: 'Opportunity products',
  nameField: 'name',
  navOrder: 31,
  inNavigation: false,
  description: "Products on a deal: quantity, the account's price (with its explanation) and cost; the deal's amount and gross profit follow them.",
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('opportunity', 'Opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'cascade', required: true }),
    ...productLineFields(),
    field('list_price', 'List price', 'number', { readOnly: true, helpText: "The account's price book price when the line was priced." }),
    field('price_explanation', 'Price explanation', 'long_text', { readOnly: true }),
    field('cost', 'Unit cost', 'number', { helpText: "In the deal's currency; empty: the product's cost converted from the corporate currency." }),
    field('currency', 'Currency', 'picklist', { values: currencyValues, readOnly: true }),
    amount('total', 'Total', 'quantity × unit price, rounded'),
    amount('total_cost', 'Total cost', 'quantity × unit cost, rounded'),
  ],
});

export const quoteTerms = defineObject({
  apiName: 'quote_terms',
  label: 'Terms template',
  pluralLabel: 'Terms templates',
  nameField: 'name',
  navOrder: 66,
  inNavigation: false,
  description: 'Payment and delivery terms a quote copies its text from.',
  fields: [
    field('name', 'Name', 'text', { required: true, unique: true, searchable: true }),
    field('body', 'Terms', 'long_text', { required: true }),
    field('active', 'Active', 'boolean', { defaultValue: true }),
  ],
});

export const quote = defineObject({
  apiName: 'quote',
  label: 'Quote',
  pluralLabel: 'Quotes',
  nameField: 'name',
  navOrder: 64,
  description: 'Priced offers to a customer: numbered, versioned, approved when discounted beyond the limit, sent, accepted or declined.',
  timelineOn: ['account', 'contact', 'opportunity'],
  fields: [
    field('name', 'Quote', 'text', { readOnly: true, searchable: true, helpText: 'The number, with the revision after the first (Q-2026-00042 v2).' }),
    field('number', 'Number', 'text', { readOnly: true, searchable: true }),
    field('revision', 'Revision', 'number', { readOnly: true }),
    field('status', 'Status', 'picklist', { values: [...QUOTE_STATUSES], readOnly: true }),
    field('title', 'Title', 'text', { searchable: true }),
    field('opportunity', 'Opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'restrict' }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict', required: true }),
    field('contact', 'Contact', 'lookup', { lookup: 'contact', onDelete: 'clear' }),
    field('currency', 'Currency', 'picklist', { values: currencyValues, helpText: "Empty: the opportunity's, else the account's." }),
    field('price_date', 'Price date', 'date', { helpText: 'Prices and exchange rates of this day; empty: today.' }),
    field('valid_until', 'Valid until', 'date', { helpText: 'Empty: the price date plus the default validity.' }),
    field('terms', 'Terms template', 'lookup', { lookup: 'quote_terms', onDelete: 'clear' }),
    field('terms_text', 'Terms', 'long_text', { helpText: "Empty: the template's text." }),
    field('discount_percent', 'Discount %', 'percent', { helpText: 'Discount on the whole quote, spread over the lines.' }),
    field('discount_amount', 'Discount amount', 'number', { helpText: 'Or an amount off the whole quote (not both).' }),
    field('tax_inclusive', 'Prices include tax', 'boolean', { readOnly: true }),
    amount('subtotal', 'Subtotal', 'Sum of the chosen lines after their own discounts'),
    amount('discount_total', 'Document discount'),
    amount('taxable', 'Net total', 'Subtotal less the document discount, without taxes'),
    amount('tax_total', 'Tax'),
    amount('total', 'Total'),
    field('effective_discount', 'Effective discount %', 'percent', { readOnly: true, helpText: 'How far the net total is below the list prices; above the approval limit the quote needs approval.' }),
    field('rounding', 'Rounding', 'text', { readOnly: true, helpText: 'The rounding the totals were computed with.' }),
    field('previous_version', 'Previous version', 'lookup', { lookup: 'quote', onDelete: 'clear', readOnly: true }),
    field('superseded_by', 'Superseded by', 'lookup', { lookup: 'quote', onDelete: 'clear', readOnly: true }),
    field('approved_by', 'Approved by', 'user', { readOnly: true }),
    field('approved_at', 'Approved', 'datetime', { readOnly: true }),
    field('approval_comment', 'Approval comment', 'long_text', { readOnly: true }),
    field('sent_at', 'Sent', 'datetime', { readOnly: true }),
    field('viewed_at', 'Viewed', 'datetime', { readOnly: true }),
    field('answered_at', 'Answered', 'datetime', { readOnly: true, helpText: 'When it was accepted, declined or expired.' }),
    field('decline_reason', 'Decline reason', 'long_text', { readOnly: true }),
    field('accepted_by_name', 'Signed by', 'text', { readOnly: true }),
    field('accepted_ip', 'Signer IP', 'text', { readOnly: true }),
    field('accepted_user_agent', 'Signer browser', 'text', { readOnly: true }),
    amount('accepted_total', 'Accepted total', 'The total of the lines the customer accepted'),
    field('accepted_consent', 'Consent', 'text', { readOnly: true, helpText: 'The terms statement the signer agreed to when accepting online.' }),
    field('accepted_pdf_sha256', 'Sealed PDF (SHA-256)', 'text', { readOnly: true, helpText: 'Hash of the PDF of the version the customer accepted, kept unchanged.' }),
  ],
});

export const quoteLine = defineObject({
  apiName: 'quote_line',
  accessFrom: 'quote',
  label: 'Quote line',
  pluralLabel: 'Quote lines',
  nameField: 'name',
  navOrder: 65,
  inNavigation: false,
  description: 'A priced product on a quote; optional lines are chosen by the customer.',
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('quote', 'Quote', 'lookup', { lookup: 'quote', onDelete: 'cascade', required: true }),
    field('position', 'Position', 'number', { helpText: 'Order on the quote; empty: after the last line.' }),
    ...productLineFields(),
    ...pricedLineFields([
      field('optional', 'Optional', 'boolean', { defaultValue: false, helpText: 'The customer chooses whether to take it.' }),
      field('selected', 'Selected', 'boolean', { helpText: 'Counted in the totals. Empty: yes, unless the line is optional — the customer chooses optional lines when accepting.' }),
    ]),
  ],
});

export const quoteObjects = [opportunityLine, quoteTerms, quote, quoteLine];
