import { defineObject, field } from '../../../platform/metadata/define.ts';
import { currencyValues } from '../../billing/index.ts';

export const REQUEST_STATUSES = ['open', 'paid', 'held_for_review', 'expired', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/**
 * An online payment started for one or several invoices of an account (providers/start.ts): what
 * was asked of whom, at which provider, and how it ended. Only Meridian writes it: the payer's
 * start, then the provider's webhooks.
 */
export const paymentRequest = defineObject({
  apiName: 'payment_request',
  label: 'Online payment',
  pluralLabel: 'Online payments',
  nameField: 'name',
  navOrder: 75,
  inNavigation: false,
  description: 'Payments customers started online (pay link, portal): the invoices and amounts asked, the provider and the outcome.',
  listColumns: ['account', 'amount', 'status', 'provider'],
  timelineOn: ['account'],
  writtenBySystem: true,
  fields: [
    field('name', 'Online payment', 'text', { readOnly: true, searchable: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict', readOnly: true }),
    field('status', 'Status', 'picklist', { values: [...REQUEST_STATUSES], readOnly: true, defaultValue: 'open' }),
    field('amount', 'Amount', 'number', { readOnly: true, helpText: 'The total asked: the open amounts of the invoices when the payment was started.' }),
    field('currency', 'Currency', 'picklist', { values: currencyValues, readOnly: true }),
    field('invoices', 'Invoices', 'long_text', { readOnly: true, helpText: 'The invoices and the amount asked for each (JSON: invoice, number, amount).' }),
    field('provider', 'Provider', 'text', { readOnly: true }),
    field('provider_session_id', 'Provider session', 'text', { readOnly: true }),
    field('provider_payment_id', 'Provider payment', 'text', { readOnly: true, searchable: true }),
    field('payment', 'Payment', 'lookup', { lookup: 'payment', onDelete: 'restrict', readOnly: true }),
    field('payer_contact', 'Paid by contact', 'lookup', { lookup: 'contact', onDelete: 'clear', readOnly: true }),
    field('requested_by', 'Started by', 'user', { readOnly: true }),
    field('return_url', 'Return URL', 'url', { readOnly: true }),
    field('redirect_url', 'Checkout URL', 'url', { readOnly: true }),
    field('expires_at', 'Expires', 'datetime', { readOnly: true }),
    field('completed_at', 'Completed', 'datetime', { readOnly: true }),
    field('review_reason', 'Held because', 'long_text', { readOnly: true, helpText: 'Why the money received was not applied (amount or currency not what was asked); staff record it by hand after checking.' }),
    field('last_error', 'Last problem', 'long_text', { readOnly: true }),
  ],
});

export const providerObjects = [paymentRequest];
