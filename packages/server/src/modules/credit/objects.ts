import { defineObject, field } from '../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../platform/metadata/types.ts';
import { currencyValues } from '../billing/index.ts';
import { BEHAVIOURS } from './formula.ts';


/**
 * One credit assessment of an account (docs/credit.md): the inputs, the limit and the rating the
 * formula gave, and the formula in words. Written by the computation (nightly or on request)
 * whenever the outcome changes, so an account's credit history is explainable step by step.
 */
export const creditAssessment = defineObject({
  apiName: 'credit_assessment',
  label: 'Credit assessment',
  pluralLabel: 'Credit assessments',
  nameField: 'name',
  navOrder: 76,
  inNavigation: false,
  description: "An account's credit limit as computed from its payment behaviour and spending, with the inputs and the formula.",
  listColumns: ['account', 'computed_at', 'credit_limit', 'payment_behaviour'],
  writtenBySystem: true,
  fields: [
    field('name', 'Assessment', 'text', { readOnly: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'cascade', required: true }),
    field('computed_at', 'Computed', 'datetime', { readOnly: true }),
    field('trigger', 'Trigger', 'picklist', { values: ['nightly', 'manual'], readOnly: true }),
    field('credit_limit', 'Credit limit', 'number', { readOnly: true }),
    field('currency', 'Currency', 'picklist', { values: currencyValues, readOnly: true }),
    field('payment_behaviour', 'Payment behaviour', 'picklist', { values: [...BEHAVIOURS], readOnly: true, helpText: 'Empty: no payment history yet.' }),
    field('inputs', 'Inputs', 'long_text', { readOnly: true, helpText: 'The figures the formula read (JSON).' }),
    field('explanation', 'Formula', 'long_text', { readOnly: true }),
  ],
});

/** What credit adds to sales' account (SAL-3, FIN-5). Only credit's commands write them (read-only to clients). */
export const accountFields: FieldDefinition[] = [
  field('credit_limit', 'Credit limit (computed)', 'number', { readOnly: true, helpText: 'Computed nightly from payment behaviour and spending over the last 12 months; see the credit panel for the formula.' }),
  field('credit_currency', 'Credit currency', 'picklist', { values: currencyValues, readOnly: true }),
  field('credit_limit_override', 'Credit limit override', 'number', { readOnly: true, helpText: 'Set by finance with a reason (Override… on the credit panel); replaces the computed limit while set.' }),
  field('credit_override_reason', 'Override reason', 'long_text', { readOnly: true }),
  field('credit_override_by', 'Overridden by', 'user', { readOnly: true }),
  field('credit_override_at', 'Overridden', 'datetime', { readOnly: true }),
];

/** What credit adds to orders' order: the total finance approved over the limit when it released the credit hold. */
export const orderFields: FieldDefinition[] = [
  field('credit_approved_amount', 'Credit approved', 'number', { readOnly: true, helpText: "Released from a credit hold by finance for this total: the order is not held for credit again unless its total grows." }),
];

export const creditObjects = [creditAssessment];
