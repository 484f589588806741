import { defineObject, field } from '../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../platform/metadata/types.ts';
import { CURRENCY_CODES } from './money/index.ts';
import { DOCUMENT_LOCALES } from './quotes/document/settings.ts';

/**
 * Billing's standard objects (SAL-11, PLT-16, taxes of SAL-12): the catalogue, price books,
 * exchange rates and taxes. Amounts are `number` fields (`numeric` columns without a fixed scale)
 * whose precision the hooks hold to the currency's minor unit — the platform's `currency` type is
 * numeric(18,2), which cannot hold KWD's three decimals. Business rules live in hooks.ts.
 */
const currencyValues = CURRENCY_CODES.map((c) => ({ value: c, label: c }));
const currencyField = (apiName: string, label: string, options: { required?: boolean; helpText?: string } = {}) =>
  field(apiName, label, 'picklist', { values: currencyValues, ...options });

export const PRODUCT_TYPES = ['service', 'part', 'equipment', 'labour'];

export const unitOfMeasure = defineObject({
  apiName: 'unit_of_measure',
  label: 'Unit of measure',
  pluralLabel: 'Units of measure',
  nameField: 'name',
  navOrder: 400,
  inNavigation: false,
  description: 'The managed list of units products are sold in (each, hour, m², …).',
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('code', 'Code', 'text', { required: true, unique: true, externalId: true, searchable: true, helpText: 'Short code used in imports and the price API (each, h, m2, …).' }),
    field('active', 'Active', 'boolean', { defaultValue: true }),
  ],
});

export const taxCategory = defineObject({
  apiName: 'tax_category',
  label: 'Tax category',
  pluralLabel: 'Tax categories',
  nameField: 'name',
  navOrder: 410,
  inNavigation: false,
  description: 'How products are taxed: tax rates apply to the categories they name.',
  fields: [
    field('name', 'Name', 'text', { required: true, unique: true, searchable: true }),
    field('exempt', 'Exempt', 'boolean', { defaultValue: false, helpText: 'Products of an exempt category get no taxes.' }),
    field('description', 'Description', 'long_text'),
  ],
});

export const taxRate = defineObject({
  apiName: 'tax_rate',
  label: 'Tax rate',
  pluralLabel: 'Tax rates',
  nameField: 'name',
  navOrder: 420,
  inNavigation: false,
  description: 'A sales tax (GST, QST, VAT…): its rate, where it applies and whether it compounds on the others.',
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('rate', 'Rate %', 'percent', { required: true }),
    field('region', 'Region', 'text', { helpText: "Billing state/province or country it applies in (e.g. QC, CA); empty: everywhere." }),
    field('tax_category', 'Tax category', 'lookup', { lookup: 'tax_category', onDelete: 'restrict', helpText: 'Applies only to products of this category; empty: to every taxable product.' }),
    field('compound', 'Compound', 'boolean', { defaultValue: false, helpText: 'Applies on the amount plus the other taxes of the line.' }),
    field('active', 'Active', 'boolean', { defaultValue: true }),
  ],
});

export const product = defineObject({
  apiName: 'product',
  label: 'Product',
  pluralLabel: 'Products',
  nameField: 'name',
  navOrder: 60,
  description: 'Products and services you sell, with their specs, unit and cost.',
  fields: [
    field('code', 'Code / SKU', 'text', { required: true, unique: true, externalId: true, searchable: true }),
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('type', 'Type', 'picklist', { values: PRODUCT_TYPES, required: true, defaultValue: 'service' }),
    field('description', 'Description', 'long_text'),
    field('unit_of_measure', 'Unit of measure', 'lookup', { lookup: 'unit_of_measure', onDelete: 'restrict', required: true }),
    field('cost', 'Cost', 'number', { helpText: 'What one unit costs you, in the corporate currency (for gross profit).' }),
    field('tax_category', 'Tax category', 'lookup', { lookup: 'tax_category', onDelete: 'restrict' }),
    field('active', 'Active', 'boolean', { defaultValue: true, helpText: 'Inactive products cannot be priced or sold.' }),
  ],
});

export const productSpec = defineObject({
  apiName: 'product_spec',
  label: 'Product spec',
  pluralLabel: 'Product specs',
  nameField: 'name',
  navOrder: 61,
  inNavigation: false,
  description: 'A variant of a service (seed 004: "set of specs on each service"), priced separately in price books.',
  fields: [
    field('product', 'Product', 'lookup', { lookup: 'product', onDelete: 'cascade', required: true }),
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('description', 'Description', 'long_text'),
    field('active', 'Active', 'boolean', { defaultValue: true }),
  ],
});

export const priceBook = defineObject({
  apiName: 'price_book',
  label: 'Price book',
  pluralLabel: 'Price books',
  nameField: 'name',
  navOrder: 62,
  description: 'Prices of products × specs × units, linked to many accounts; the standard book prices accounts without one.',
  fields: [
    field('name', 'Name', 'text', { required: true, unique: true, searchable: true }),
    currencyField('currency', 'Currency', { required: true }),
    field('is_standard', 'Standard', 'boolean', { defaultValue: false, helpText: 'Prices accounts that have no price book of their own; one per currency.' }),
    field('tax_inclusive', 'Prices include tax', 'boolean', { defaultValue: false }),
    field('active', 'Active', 'boolean', { defaultValue: true }),
    field('description', 'Description', 'long_text'),
  ],
});

export const priceBookEntry = defineObject({
  apiName: 'price_book_entry',
  label: 'Price book entry',
  pluralLabel: 'Price book entries',
  nameField: 'name',
  navOrder: 63,
  inNavigation: false,
  description: 'One price: a product (and spec) in a unit and currency, from a minimum quantity, valid between two dates.',
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true, helpText: 'Set from the product, spec, unit and quantity break.' }),
    field('price_book', 'Price book', 'lookup', { lookup: 'price_book', onDelete: 'cascade', required: true }),
    field('product', 'Product', 'lookup', { lookup: 'product', onDelete: 'cascade', required: true }),
    field('product_spec', 'Spec', 'lookup', { lookup: 'product_spec', onDelete: 'cascade' }),
    field('unit_of_measure', 'Unit of measure', 'lookup', { lookup: 'unit_of_measure', onDelete: 'restrict', helpText: "Defaults to the product's unit." }),
    currencyField('currency', 'Currency', { helpText: "Defaults to the book's currency." }),
    field('unit_price', 'Unit price', 'number', { required: true }),
    field('min_quantity', 'From quantity', 'number', { defaultValue: 0, helpText: 'Quantity break: the entry applies from this quantity on.' }),
    field('valid_from', 'Valid from', 'date'),
    field('valid_to', 'Valid to', 'date'),
    field('active', 'Active', 'boolean', { defaultValue: true }),
  ],
});

export const exchangeRate = defineObject({
  apiName: 'exchange_rate',
  label: 'Exchange rate',
  pluralLabel: 'Exchange rates',
  nameField: 'name',
  navOrder: 430,
  inNavigation: false,
  description: 'How many units of one currency one unit of another buys, from a date on (PLT-16).',
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('rate_date', 'Date', 'date', { required: true }),
    currencyField('from_currency', 'From', { required: true }),
    currencyField('to_currency', 'To', { required: true }),
    field('rate', 'Rate', 'number', { required: true, helpText: '1 unit of From = rate units of To; up to 15 significant digits.' }),
    field('source', 'Source', 'picklist', { values: ['manual', 'import', 'provider'], defaultValue: 'manual' }),
  ],
});

/** Fields billing adds to sales' account (platform/module.ts `fieldsFor`); `price_adjuster` and `currency` are sales' own. */
export const accountFields: FieldDefinition[] = [
  field('price_book', 'Price book', 'lookup', { lookup: 'price_book', onDelete: 'clear', helpText: 'Prices this account pays; empty: the standard book.' }),
  field('tax_exempt', 'Tax exempt', 'boolean', { defaultValue: false }),
  field('tax_exemption_certificate', 'Tax exemption certificate', 'text', { helpText: 'Required when the account is tax exempt.' }),
  documentLocale(),
];

/** Fields billing adds to sales' contact: the locale of the documents sent to this person. */
export const contactFields: FieldDefinition[] = [documentLocale()];

/** Numbers, currencies and dates on quotes (and later invoices) in the customer's way; empty: the account's, else the organisation's. */
function documentLocale(): FieldDefinition {
  return field('document_locale', 'Document locale', 'picklist', {
    values: DOCUMENT_LOCALES.map((l) => ({ value: l, label: l })),
    helpText: "How numbers, amounts and dates are written on this customer's quotes (de-DE: 1.234,56 €). Empty: the account's, else the organisation's.",
  });
}

export const billingObjects = [unitOfMeasure, taxCategory, taxRate, product, productSpec, priceBook, priceBookEntry, exchangeRate];
