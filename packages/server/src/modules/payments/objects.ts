import { defineObject, field } from '../../platform/metadata/define.ts';
import { amountField, currencyValues } from '../billing/index.ts';

/**
 * Payments (issue 13, docs/payments.md): money received from a customer, allocated to its
 * invoices; what is not allocated is the customer's credit, applied to later invoices; refunds
 * pay credit back; a reversal (a bounced check, a charge-back) takes the payment back and reopens
 * what it paid. Only the commands (commands/*.ts) write these objects.
 */
export const PAYMENT_METHODS = ['card', 'bank_transfer', 'check', 'cash', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_STATUSES = ['received', 'reversed'] as const;

const METHOD_LABELS: Record<PaymentMethod, string> = { card: 'Card', bank_transfer: 'Bank transfer / ACH', check: 'Check', cash: 'Cash', other: 'Other' };

export const payment = defineObject({
  apiName: 'payment',
  label: 'Payment',
  pluralLabel: 'Payments',
  nameField: 'name',
  navOrder: 72,
  description: "Money received from customers, allocated to their invoices; what is left over is the customer's credit.",
  listColumns: ['account', 'payment_date', 'amount', 'unallocated_amount'],
  timelineOn: ['account'],
  writtenBySystem: true,
  fields: [
    field('name', 'Payment', 'text', { readOnly: true, searchable: true, helpText: 'The payment number.' }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict', required: true }),
    field('payment_date', 'Date', 'date', { required: true }),
    field('amount', 'Amount', 'number', { required: true }),
    field('currency', 'Currency', 'picklist', { values: currencyValues, required: true }),
    field('method', 'Method', 'picklist', { values: PAYMENT_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] })), required: true }),
    field('reference', 'Reference', 'text', { searchable: true, helpText: 'Check number, bank reference, card transaction.' }),
    field('status', 'Status', 'picklist', { values: [...PAYMENT_STATUSES], readOnly: true, defaultValue: 'received' }),
    amountField('allocated_amount', 'Allocated', 'Applied to invoices'),
    amountField('unallocated_amount', 'Credit', 'Not applied to an invoice: the customer’s credit, applied to later invoices or refunded'),
    amountField('refunded_amount', 'Refunded'),
    field('provider', 'Provider', 'text', { readOnly: true, helpText: 'The payment provider it came through (online payments).' }),
    field('provider_payment_id', 'Provider reference', 'text', { readOnly: true }),
    field('reversed_at', 'Reversed', 'datetime', { readOnly: true }),
    field('reversal_reason', 'Reversal reason', 'long_text', { readOnly: true }),
    field('notes', 'Notes', 'long_text'),
  ],
});

export const paymentAllocation = defineObject({
  apiName: 'payment_allocation',
  label: 'Payment allocation',
  pluralLabel: 'Payment allocations',
  nameField: 'name',
  navOrder: 73,
  inNavigation: false,
  description: 'How much of a payment went to which invoice.',
  listColumns: ['payment', 'invoice', 'amount'],
  writtenBySystem: true,
  fields: [
    field('name', 'Allocation', 'text', { readOnly: true }),
    field('payment', 'Payment', 'lookup', { lookup: 'payment', onDelete: 'restrict', required: true }),
    field('invoice', 'Invoice', 'lookup', { lookup: 'invoice', onDelete: 'restrict', required: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict', required: true }),
    field('amount', 'Amount', 'number', { required: true }),
    field('currency', 'Currency', 'picklist', { values: currencyValues }),
    field('allocated_on', 'Date', 'date'),
    field('reversed_at', 'Reversed', 'datetime', { readOnly: true, helpText: 'Taken back when the payment was reversed; the invoice was reopened.' }),
  ],
});

export const paymentRefund = defineObject({
  apiName: 'payment_refund',
  label: 'Refund',
  pluralLabel: 'Refunds',
  nameField: 'name',
  navOrder: 74,
  inNavigation: false,
  description: "Customer credit paid back: refunds reduce a payment's unallocated amount.",
  listColumns: ['payment', 'refund_date', 'amount'],
  timelineOn: ['account'],
  writtenBySystem: true,
  fields: [
    field('name', 'Refund', 'text', { readOnly: true }),
    field('payment', 'Payment', 'lookup', { lookup: 'payment', onDelete: 'restrict', required: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict', required: true }),
    field('amount', 'Amount', 'number', { required: true }),
    field('currency', 'Currency', 'picklist', { values: currencyValues }),
    field('refund_date', 'Date', 'date'),
    field('reason', 'Reason', 'long_text'),
    field('provider_refund_id', 'Provider reference', 'text', { readOnly: true }),
  ],
});

export const paymentObjects = [payment, paymentAllocation, paymentRefund];
