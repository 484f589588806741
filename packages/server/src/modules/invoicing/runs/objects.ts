import { defineObject, field } from '../../../platform/metadata/define.ts';

/** One monthly invoicing run (runs/monthly.ts): what it invoiced, and what it could not and why. */
export const invoiceRun = defineObject({
  apiName: 'invoice_run',
  label: 'Invoice run',
  pluralLabel: 'Invoice runs',
  nameField: 'name',
  navOrder: 76,
  inNavigation: false,
  description: "The monthly invoicing runs: each account's completed, uninvoiced orders of the month on posted invoices.",
  listColumns: ['status', 'invoices', 'orders', 'failed_accounts'],
  // Only the run records itself.
  writtenBySystem: true,
  fields: [
    field('name', 'Run', 'text', { readOnly: true, searchable: true }),
    field('period', 'Period', 'text', { readOnly: true, helpText: 'The month invoiced (YYYY-MM): orders completed before its end.' }),
    field('status', 'Status', 'picklist', { values: ['running', 'completed', 'completed_with_errors', 'failed'], readOnly: true }),
    field('trigger', 'Started by', 'picklist', { values: [{ value: 'schedule', label: 'Schedule' }, { value: 'user', label: 'A user' }], readOnly: true }),
    field('started_at', 'Started', 'datetime', { readOnly: true }),
    field('finished_at', 'Finished', 'datetime', { readOnly: true }),
    field('accounts', 'Accounts', 'number', { readOnly: true }),
    field('invoices', 'Invoices posted', 'number', { readOnly: true }),
    field('orders', 'Orders invoiced', 'number', { readOnly: true }),
    field('failed_accounts', 'Accounts failed', 'number', { readOnly: true }),
    field('failures', 'Failures', 'long_text', { readOnly: true, helpText: 'Per account: why its orders were not invoiced (JSON).' }),
  ],
});
