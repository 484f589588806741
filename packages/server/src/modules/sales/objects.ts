import { defineObject, field } from '../../platform/metadata/define.ts';

/** Standard sales objects (SAL-1..5, SAL-8). Business rules live in hooks.ts. */
const INDUSTRIES = [
  'agriculture', 'construction', 'education', 'energy', 'finance', 'government', 'healthcare', 'hospitality',
  'manufacturing', 'media', 'printing', 'real_estate', 'retail', 'technology', 'telecommunications',
  'transportation', 'utilities', 'other',
];
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN', 'MXN', 'BRL', 'INR', 'ZAR'];
const currencyValues = CURRENCIES.map((c) => ({ value: c, label: c }));
const LEAD_SOURCES = ['web', 'phone', 'email', 'referral', 'partner', 'event', 'advertisement', 'social', 'other'];

const address = (prefix: string, label: string) => [
  field(`${prefix}_street`, `${label} street`, 'text'),
  field(`${prefix}_city`, `${label} city`, 'text'),
  field(`${prefix}_state`, `${label} state/province`, 'text'),
  field(`${prefix}_postal_code`, `${label} postal code`, 'text'),
  field(`${prefix}_country`, `${label} country`, 'text'),
];

export const account = defineObject({
  apiName: 'account',
  label: 'Account',
  pluralLabel: 'Accounts',
  nameField: 'name',
  navOrder: 10,
  description: 'Companies you do business with, arranged as a tree of branches and divisions.',
  fields: [
    field('name', 'Account name', 'text', { required: true, searchable: true }),
    field('parent_account', 'Parent account', 'lookup', { lookup: 'account', onDelete: 'restrict' }),
    field('account_number', 'Account number', 'text', { unique: true, externalId: true, searchable: true }),
    field('type', 'Type', 'picklist', { values: ['prospect', 'customer', 'partner', 'supplier', 'other'] }),
    field('industry', 'Industry', 'picklist', { values: INDUSTRIES }),
    field('website', 'Website', 'url', { searchable: true }),
    field('phone', 'Phone', 'phone', { searchable: true }),
    field('email', 'Account e-mail', 'email', { searchable: true, helpText: 'Where invoices and payment reminders go.' }),
    field('employees', 'Employees', 'number'),
    field('annual_revenue', 'Annual revenue', 'currency'),
    field('description', 'Description', 'long_text'),
    ...address('billing', 'Billing'),
    ...address('shipping', 'Shipping'),
    // Commercial settings (SAL-3)
    field('currency', 'Currency', 'picklist', { values: currencyValues, defaultValue: 'USD' }),
    field('blacklisted', 'Blacklisted', 'boolean', { defaultValue: false, helpText: 'A blacklisted account cannot get new opportunities.' }),
    field('price_adjuster', 'Price adjuster %', 'percent', { helpText: 'Applied to price book prices for this account.' }),
    field('allow_shared_pos', 'Allow sharing POs', 'boolean', { defaultValue: false }),
    field('payment_terms', 'Payment terms', 'picklist', { values: ['due_on_receipt', 'net_15', 'net_30', 'net_45', 'net_60', 'net_90'], defaultValue: 'net_30' }),
    field('payment_behaviour', 'Payment behaviour', 'picklist', { values: ['excellent', 'good', 'average', 'poor', 'bad'] }),
    field('invoicing_point', 'Invoicing point', 'picklist', { values: ['on_order', 'on_delivery', 'on_completion'] }),
    field('invoicing_option', 'Invoicing option', 'picklist', { values: [{ value: 'per_po', label: 'Per PO' }, { value: 'per_month', label: 'Per month' }, { value: 'manual', label: 'Manual' }], defaultValue: 'per_po' }),
    field('satisfaction_email_opt_out', 'Satisfaction e-mail opt-out', 'boolean', { defaultValue: false }),
    field('allow_negative_profit', 'Allow negative profit', 'boolean', { defaultValue: false }),
    field('account_manager', 'Account manager', 'user'),
    field('main_pm', 'Main project manager', 'user'),
  ],
});

export const contact = defineObject({
  apiName: 'contact',
  label: 'Contact',
  pluralLabel: 'Contacts',
  nameField: 'full_name',
  navOrder: 20,
  description: 'People at your accounts.',
  fields: [
    field('first_name', 'First name', 'text', { searchable: true }),
    field('last_name', 'Last name', 'text', { required: true, searchable: true }),
    field('full_name', 'Name', 'text', { generated: "btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))", searchable: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'cascade' }),
    field('title', 'Title', 'text'),
    field('department', 'Department', 'text'),
    field('email', 'E-mail', 'email', { searchable: true }),
    field('phone', 'Phone', 'phone', { searchable: true }),
    field('mobile', 'Mobile', 'phone', { searchable: true }),
    field('is_primary', 'Primary contact', 'boolean', { defaultValue: false }),
    field('is_emergency', 'Emergency contact', 'boolean', { defaultValue: false }),
    field('do_not_email', 'Do not e-mail', 'boolean', { defaultValue: false }),
    field('lead_source', 'Lead source', 'picklist', { values: LEAD_SOURCES }),
    field('birthdate', 'Birthdate', 'date'),
    field('description', 'Description', 'long_text'),
    ...address('mailing', 'Mailing'),
  ],
});

export const lead = defineObject({
  apiName: 'lead',
  label: 'Lead',
  pluralLabel: 'Leads',
  nameField: 'full_name',
  navOrder: 5,
  description: 'Prospective customers, companies or individuals, not yet qualified.',
  fields: [
    field('first_name', 'First name', 'text', { searchable: true }),
    field('last_name', 'Last name', 'text', { required: true, searchable: true }),
    field('full_name', 'Name', 'text', { generated: "btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))", searchable: true }),
    field('company', 'Company', 'text', { searchable: true, helpText: 'Leave empty for an individual.' }),
    field('title', 'Title', 'text'),
    field('email', 'E-mail', 'email', { searchable: true }),
    field('phone', 'Phone', 'phone', { searchable: true }),
    field('website', 'Website', 'url'),
    field('status', 'Status', 'picklist', {
      values: ['new', 'contacted', 'good', 'bad', 'qualified', 'converted', 'disqualified'],
      defaultValue: 'new',
      required: true,
    }),
    field('disqualified_reason', 'Disqualified reason', 'picklist', {
      values: ['no_budget', 'no_need', 'no_authority', 'bad_timing', 'competitor', 'unreachable', 'spam', 'other'],
    }),
    field('source', 'Lead source', 'picklist', { values: LEAD_SOURCES }),
    field('campaign', 'Campaign', 'text'),
    field('industry', 'Industry', 'picklist', { values: INDUSTRIES }),
    field('employees', 'Employees', 'number'),
    field('annual_revenue', 'Annual revenue', 'currency'),
    field('rating', 'Rating', 'picklist', { values: ['hot', 'warm', 'cold'] }),
    field('description', 'Description', 'long_text'),
    ...address('address', 'Address'),
  ],
});

export const opportunity = defineObject({
  apiName: 'opportunity',
  label: 'Opportunity',
  pluralLabel: 'Opportunities',
  nameField: 'name',
  navOrder: 30,
  description: 'Deals in progress, from first contact to won or lost.',
  fields: [
    field('name', 'Opportunity name', 'text', { required: true, searchable: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict' }),
    field('amount', 'Amount', 'currency'),
    field('currency', 'Currency', 'picklist', { values: currencyValues, defaultValue: 'USD' }),
    field('gross_profit', 'Potential gross profit', 'currency'),
    field('close_date', 'Close date', 'date', { required: true }),
    field('stage', 'Stage', 'picklist', {
      values: ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation', 'closed_won', 'closed_lost'],
      defaultValue: 'prospecting',
      required: true,
    }),
    field('probability', 'Probability %', 'percent'),
    field('type', 'Type', 'picklist', { values: ['new_business', 'existing_business', 'renewal', 'upsell'] }),
    field('lead_source', 'Lead source', 'picklist', { values: LEAD_SOURCES }),
    field('next_step', 'Next step', 'text'),
    field('description', 'Description', 'long_text'),
  ],
});
