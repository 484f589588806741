import { defineObject, field } from '../../platform/metadata/define.ts';
import { currencyValues, documentTotalFields, pricedLineFields, productLineFields } from '../billing/index.ts';

/**
 * Orders (FIN-1, seed 001, seed 000's quote → sales order → invoice): what a customer ordered —
 * from an accepted quote, a shop, the API or the web app — with lines priced by billing's kernel
 * like a quote's. Status moves only through the named commands (status.ts); holds keep an order
 * from being confirmed until someone releases it.
 */
export const ORDER_STATUSES = ['received', 'confirmed', 'in_production', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const ORDER_SOURCES = ['web', 'api', 'quote', 'shop'] as const;

const label = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replace('_', ' ');

export const order = defineObject({
  apiName: 'order',
  label: 'Order',
  pluralLabel: 'Orders',
  nameField: 'name',
  navOrder: 67,
  description: 'What customers ordered — from accepted quotes, shops, the API or by hand — through production to completion.',
  listColumns: ['status', 'account', 'po_number', 'requested_date', 'total'],
  fields: [
    field('name', 'Order', 'text', { readOnly: true, searchable: true }),
    field('number', 'Number', 'text', { readOnly: true, searchable: true }),
    field('status', 'Status', 'picklist', { values: ORDER_STATUSES.map((s) => ({ value: s, label: label(s) })), readOnly: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict', required: true }),
    field('contact', 'Contact', 'lookup', { lookup: 'contact', onDelete: 'clear' }),
    field('opportunity', 'Opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'clear' }),
    field('quote', 'Quote', 'lookup', { lookup: 'quote', onDelete: 'restrict', readOnly: true, helpText: 'The accepted quote this order came from.' }),
    field('project', 'Project', 'lookup', { lookup: 'project', onDelete: 'clear' }),
    field('po_number', 'Customer PO', 'text', { searchable: true, helpText: "The customer's purchase order number." }),
    field('requested_date', 'Requested date', 'date'),
    field('ship_to', 'Ship to', 'long_text', { helpText: "Empty: the account's shipping address." }),
    field('currency', 'Currency', 'picklist', { values: currencyValues, helpText: "Empty: the quote's, else the account's." }),
    field('price_date', 'Price date', 'date', { helpText: 'Prices and exchange rates of this day; empty: today.' }),
    field('source', 'Source', 'picklist', { values: [{ value: 'web', label: 'Web app' }, { value: 'api', label: 'API' }, { value: 'quote', label: 'Quote' }, { value: 'shop', label: 'Shop' }], readOnly: true }),
    field('external_id', 'Shop order id', 'text', { readOnly: true, searchable: true, helpText: "The shop's own id of the order (intake is idempotent by it)." }),
    field('on_hold', 'On hold', 'boolean', { readOnly: true, defaultValue: false }),
    field('hold_reasons', 'Hold reasons', 'long_text', { readOnly: true, helpText: 'Why the order is held (JSON list of code, field, message); released by a user.' }),
    field('notes', 'Notes', 'long_text'),
    ...documentTotalFields(),
    field('rounding', 'Rounding', 'text', { readOnly: true }),
    field('confirmed_at', 'Confirmed', 'datetime', { readOnly: true }),
    field('completed_at', 'Completed', 'datetime', { readOnly: true }),
    field('cancelled_at', 'Cancelled', 'datetime', { readOnly: true }),
    field('cancel_reason', 'Cancel reason', 'long_text', { readOnly: true }),
  ],
});

export const orderLine = defineObject({
  apiName: 'order_line',
  label: 'Order line',
  pluralLabel: 'Order lines',
  nameField: 'name',
  navOrder: 68,
  inNavigation: false,
  description: 'A product on an order, priced like a quote line; copied lines keep the price they were sold at.',
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('order', 'Order', 'lookup', { lookup: 'order', onDelete: 'cascade', required: true }),
    field('position', 'Position', 'number', { helpText: 'Order on the order; empty: after the last line.' }),
    ...productLineFields(),
    field('requested_date', 'Requested date', 'date', { helpText: "Empty: the order's." }),
    field('specs', 'Production requirements', 'long_text', { helpText: 'What production needs to know for this line (printed on the job ticket).' }),
    ...pricedLineFields(),
  ],
});

export const orderObjects = [order, orderLine];
