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


export const order = defineObject({
  apiName: 'order',
  label: 'Order',
  pluralLabel: 'Orders',
  nameField: 'name',
  navOrder: 67,
  description: 'What customers ordered — from accepted quotes, shops, the API or by hand — through production to completion.',
  listColumns: ['status', 'account', 'po_number', 'total'],
  timelineOn: ['account', 'contact', 'opportunity'],
  fields: [
    field('name', 'Order', 'text', { readOnly: true, searchable: true }),
    field('number', 'Number', 'text', { readOnly: true, searchable: true }),
    field('status', 'Status', 'picklist', { values: [...ORDER_STATUSES], readOnly: true }),
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
    field('intake', 'Received as', 'lookup', { lookup: 'order_intake', onDelete: 'clear', readOnly: true, helpText: "The shop's payload this order was made from." }),
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
  accessFrom: 'order',
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
    field('team', 'Production team', 'lookup', { lookup: 'production_team', onDelete: 'clear', helpText: "Empty: the team whose rule fits the account, the product's type and the spec." }),
    ...pricedLineFields(),
  ],
});

/** Seed 004 "Teams": who produces what — a team dedicated to an account, a task type (product type) and a spec. */
export const productionTeam = defineObject({
  apiName: 'production_team',
  label: 'Production team',
  pluralLabel: 'Production teams',
  nameField: 'name',
  navOrder: 69,
  inNavigation: false,
  description: 'Teams that produce orders; rules assign them to order lines automatically.',
  fields: [
    field('name', 'Name', 'text', { required: true, unique: true, searchable: true }),
    field('description', 'Description', 'long_text'),
    field('lead', 'Team lead', 'user'),
    field('active', 'Active', 'boolean', { defaultValue: true }),
  ],
});

export const productionTeamRule = defineObject({
  apiName: 'production_team_rule',
  label: 'Team assignment rule',
  pluralLabel: 'Team assignment rules',
  nameField: 'name',
  navOrder: 70,
  inNavigation: false,
  description: 'Which team takes an order line: the most specific rule that fits the account, the product type and the spec wins.',
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('team', 'Team', 'lookup', { lookup: 'production_team', onDelete: 'cascade', required: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'cascade', helpText: 'Empty: every account.' }),
    field('product_type', 'Task type', 'picklist', { values: ['service', 'part', 'equipment', 'labour'], helpText: "The product's type; empty: every type." }),
    field('product_spec', 'Spec', 'lookup', { lookup: 'product_spec', onDelete: 'cascade', helpText: 'Empty: every spec.' }),
  ],
});

/** A shop that sends orders (seed 001): its format, its secret, who hears about held orders, where job tickets go. */
export const orderIntakeSource = defineObject({
  apiName: 'order_intake_source',
  label: 'Order source',
  pluralLabel: 'Order sources',
  nameField: 'name',
  navOrder: 71,
  inNavigation: false,
  description: 'Shops and systems that send orders to POST /api/v1/order-intake/{key}, each with its own signing secret.',
  fields: [
    field('name', 'Name', 'text', { required: true, unique: true, searchable: true }),
    field('key', 'Key', 'text', { required: true, unique: true, helpText: 'The last part of the intake URL: lower-case letters, digits and dashes.' }),
    field('format', 'Format', 'picklist', { values: [{ value: 'cxml', label: 'cXML OrderRequest' }, { value: 'ubl', label: 'UBL 2.1 Order' }, { value: 'custom', label: 'Own format (mapping)' }], required: true, defaultValue: 'cxml' }),
    field('mapping', 'Mapping', 'long_text', { helpText: 'For an own format: JSON paths from the payload to order fields (docs/intake-formats.md).' }),
    field('staff_email', 'Staff e-mail', 'email', { required: true, helpText: 'Told why an order was held or refused, with the payload attached.' }),
    field('production_channel', 'Job tickets to', 'picklist', { values: [{ value: 'none', label: 'Nowhere' }, { value: 'email', label: 'E-mail' }, { value: 'webhook', label: 'Webhook event order.job_ticket' }, { value: 'printer', label: 'Network printer (IPP)' }], defaultValue: 'none' }),
    field('production_email', 'Production e-mail', 'email'),
    field('printer_url', 'Printer URL', 'text', { helpText: 'The production printer: ipp://host/printers/name, ipps://, or http://host:631/….' }),
    field('max_body_kb', 'Largest payload (KB)', 'number', { defaultValue: 1024 }),
    field('active', 'Active', 'boolean', { defaultValue: true }),
    field('secret_hint', 'Secret', 'text', { readOnly: true, helpText: 'The start of the signing secret; the whole secret is shown once when it is made.' }),
    field('last_received_at', 'Last received', 'datetime', { readOnly: true }),
  ],
});

/** Every payload a source sent, with what became of it (accepted, held, rejected) and why. */
export const orderIntake = defineObject({
  apiName: 'order_intake',
  label: 'Received order',
  pluralLabel: 'Received orders',
  nameField: 'name',
  navOrder: 72,
  inNavigation: false,
  description: 'The log of payloads received from order sources: the payload as sent, the result and the reasons.',
  listColumns: ['source', 'result', 'order', 'created_at'],
  // What a shop sent is evidence, not an editable record: only the intake writes it.
  writtenBySystem: true,
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('source', 'Source', 'lookup', { lookup: 'order_intake_source', onDelete: 'restrict', readOnly: true }),
    field('external_id', 'Shop order id', 'text', { readOnly: true, searchable: true }),
    field('result', 'Result', 'picklist', { values: ['accepted', 'held', 'rejected'], readOnly: true }),
    field('reasons', 'Reasons', 'long_text', { readOnly: true }),
    field('order', 'Order', 'lookup', { lookup: 'order', onDelete: 'clear', readOnly: true }),
    field('content_type', 'Content type', 'text', { readOnly: true }),
    field('body_sha256', 'Payload SHA-256', 'text', { readOnly: true }),
    field('payload', 'Payload', 'long_text', { readOnly: true }),
  ],
});

export const orderObjects = [order, orderLine, productionTeam, productionTeamRule, orderIntakeSource, orderIntake];
