import { defineObject, field } from '../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../platform/metadata/types.ts';
import { amountField, currencyValues, documentTotalFields, pricedLineFields, productLineFields } from '../billing/index.ts';

/**
 * Invoices and credit notes (issue 12, docs/invoicing.md): one object, `invoice`, whose `kind`
 * says which. A draft is edited freely; posting gives it its number (gapless, per series and
 * year), its date and due date, and freezes it: corrections are credit notes, which store
 * positive amounts and point at the invoice they credit. Status and every figure are read-only:
 * they move only through the commands (commands/*.ts).
 */
export const INVOICE_STATUSES = ['draft', 'posted', 'partially_paid', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
export const INVOICE_KINDS = ['invoice', 'credit_note'] as const;
export const PAYMENT_TERMS = ['due_on_receipt', 'net_15', 'net_30', 'net_45', 'net_60', 'net_90'] as const;


export const invoice = defineObject({
  apiName: 'invoice',
  label: 'Invoice',
  pluralLabel: 'Invoices',
  nameField: 'name',
  navOrder: 69,
  description: 'Invoices and credit notes: drafts until posted, then numbered without gaps and never changed again (corrections are credit notes).',
  listColumns: ['status', 'account', 'due_date', 'open_amount'],
  timelineOn: ['account', 'contact', 'opportunity'],
  fields: [
    field('name', 'Invoice', 'text', { readOnly: true, searchable: true, helpText: 'The number once posted; "Draft" before.' }),
    field('number', 'Number', 'text', { readOnly: true, searchable: true, helpText: 'Given when the invoice is posted, from a gapless series per year.' }),
    field('kind', 'Kind', 'picklist', { values: [...INVOICE_KINDS], readOnly: true, defaultValue: 'invoice' }),
    field('status', 'Status', 'picklist', { values: [...INVOICE_STATUSES], readOnly: true, defaultValue: 'draft' }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict', required: true }),
    field('contact', 'Contact', 'lookup', { lookup: 'contact', onDelete: 'clear' }),
    field('opportunity', 'Opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'clear' }),
    field('billing_address', 'Billing address', 'long_text', { helpText: "Empty: the account's billing address when the draft is created (kept as written on the invoice)." }),
    field('po_number', 'Customer PO', 'text', { searchable: true }),
    field('currency', 'Currency', 'picklist', { values: currencyValues, helpText: "Empty: the account's, else the corporate currency." }),
    field('price_date', 'Price date', 'date', { helpText: 'Prices and exchange rates of this day for lines priced from the book; empty: today.' }),
    field('payment_terms', 'Payment terms', 'picklist', { values: [...PAYMENT_TERMS], helpText: "Empty: the account's." }),
    field('invoice_date', 'Invoice date', 'date', { readOnly: true, helpText: 'The day it was posted.' }),
    field('due_date', 'Due date', 'date', { readOnly: true, helpText: 'The invoice date plus the payment terms.' }),
    field('credited_invoice', 'Credits invoice', 'lookup', { lookup: 'invoice', onDelete: 'restrict', readOnly: true, helpText: 'On a credit note: the invoice it corrects.' }),
    field('credit_reason', 'Credit reason', 'long_text', { readOnly: true }),
    field('notes', 'Notes', 'long_text', { helpText: 'Printed on the invoice.' }),
    ...documentTotalFields(),
    field('rounding', 'Rounding', 'text', { readOnly: true, helpText: 'The rounding the totals were computed with.' }),
    amountField('credited_total', 'Credited', 'Sum of the posted credit notes of this invoice'),
    amountField('paid_total', 'Paid', 'Sum of the payments allocated to this invoice (payments module)'),
  amountField('open_amount', 'Open amount', 'Total less credit notes and payments'),
    field('posted_at', 'Posted', 'datetime', { readOnly: true }),
    field('posted_by', 'Posted by', 'user', { readOnly: true }),
    field('sent_at', 'Sent', 'datetime', { readOnly: true }),
    field('send_error', 'Sending failed', 'long_text', { readOnly: true, helpText: 'Why the last automatic or manual e-mail of this invoice did not go out.' }),
  ],
});

export const invoiceLine = defineObject({
  apiName: 'invoice_line',
  accessFrom: 'invoice',
  label: 'Invoice line',
  pluralLabel: 'Invoice lines',
  nameField: 'name',
  navOrder: 70,
  inNavigation: false,
  description: 'A product on an invoice or credit note, priced like a quote line; lines copied from orders keep the prices they were sold at.',
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('invoice', 'Invoice', 'lookup', { lookup: 'invoice', onDelete: 'cascade', required: true }),
    field('position', 'Position', 'number', { helpText: 'Order on the invoice; empty: after the last line.' }),
    ...productLineFields(),
    field('order', 'Order', 'lookup', { lookup: 'order', onDelete: 'restrict', readOnly: true, helpText: 'The order the line was invoiced from.' }),
    field('order_line', 'Order line', 'lookup', { lookup: 'order_line', onDelete: 'restrict', readOnly: true }),
    field('credited_line', 'Credits line', 'lookup', { lookup: 'invoice_line', onDelete: 'restrict', readOnly: true, helpText: "On a credit note: the invoice's line it credits." }),
    ...pricedLineFields(),
  ],
});

/** What invoicing adds to orders' order: the invoice it went on (an order is invoiced once). */
export const orderFields: FieldDefinition[] = [
  field('invoice', 'Invoice', 'lookup', { lookup: 'invoice', onDelete: 'clear', readOnly: true, helpText: 'The invoice this order went on; an order is invoiced once.' }),
];

/** Fields invoicing adds to sales' account. */
export const accountFields: FieldDefinition[] = [
  field('invoice_auto_send', 'Send invoices automatically', 'boolean', { defaultValue: false, helpText: "E-mail each invoice to the account's e-mail as soon as it is posted." }),
];

export const invoicingObjects = [invoice, invoiceLine];
