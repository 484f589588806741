import { defineObject, field } from '../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../platform/metadata/types.ts';

/**
 * Payment reminders (seed 004 "Payment Reminders", REQUIREMENTS FIN-4, docs/dunning.md).
 *
 * A schedule is a list of levels; a level fires when an open invoice is that many days past its
 * due date, and e-mails the account one reminder listing its invoices at that level. Each
 * (invoice, level) is claimed once in `dunning_reminder` (a unique index, startup.ts): the guard
 * against sending a level twice, whatever runs at once.
 */
export const dunningSchedule = defineObject({
  apiName: 'dunning_schedule',
  label: 'Reminder schedule',
  pluralLabel: 'Reminder schedules',
  nameField: 'name',
  navOrder: 77,
  description: 'Payment reminder schedules: levels of reminders sent as invoices stay unpaid past their due date.',
  listColumns: ['is_default', 'active'],
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('is_default', 'Default', 'boolean', { defaultValue: false, helpText: 'Used for accounts without a schedule of their own or of a parent account; one schedule is the default.' }),
    field('active', 'Active', 'boolean', { defaultValue: true, helpText: 'An inactive schedule sends nothing (its accounts get no reminders).' }),
    field('description', 'Description', 'long_text'),
  ],
});

export const dunningLevel = defineObject({
  apiName: 'dunning_level',
  label: 'Reminder level',
  pluralLabel: 'Reminder levels',
  nameField: 'name',
  navOrder: 78,
  inNavigation: false,
  description: 'One reminder of a schedule: when it is sent (days past due), what it says (Liquid templates), its fee and whether it creates a task.',
  listColumns: ['schedule', 'level', 'days_overdue', 'fee'],
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true, helpText: 'e.g. Friendly reminder, Second reminder, Final notice' }),
    field('schedule', 'Schedule', 'lookup', { lookup: 'dunning_schedule', onDelete: 'cascade', required: true }),
    field('level', 'Level', 'number', { required: true, helpText: '1, 2, 3 …: an invoice gets each level at most once; a higher level is never followed by a lower one.' }),
    field('days_overdue', 'Days overdue', 'number', { required: true, helpText: 'Sent when an open invoice is this many days past its due date.' }),
    field('subject', 'Subject', 'text', { required: true, helpText: 'Liquid, e.g. Payment reminder: {{ invoices.size }} open invoices' }),
    field('body', 'Body', 'long_text', { required: true, helpText: 'Plain text with Liquid; {% for invoice in invoices %} … {{ invoice.pay_link }} {% endfor %}. See docs/dunning.md for the variables.' }),
    field('fee', 'Fee', 'number', { helpText: 'A reminder fee in the invoices’ currency, stated in the e-mail and recorded on the reminder (no invoice is made for it).' }),
    field('creates_task', 'Creates a task', 'boolean', { defaultValue: false, helpText: "Also gives the account manager (else the account's owner) a task to call the customer." }),
  ],
});

export const REMINDER_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;

/**
 * One (invoice, level): claimed `pending` before any e-mail leaves, `sending` in its own commit
 * just before the message is handed to SMTP, `sent` after. Written only by the run (set-based
 * SQL on this module's own table), listed on the account's and the invoice's timelines.
 */
export const dunningReminder = defineObject({
  apiName: 'dunning_reminder',
  label: 'Payment reminder',
  pluralLabel: 'Payment reminders',
  nameField: 'name',
  navOrder: 79,
  inNavigation: false,
  writtenBySystem: true,
  timelineOn: ['account', 'invoice'],
  description: 'The payment reminders sent (one per invoice and level) and why one did not go out.',
  listColumns: ['account', 'invoice', 'status', 'sent_at'],
  fields: [
    field('name', 'Reminder', 'text', { readOnly: true, searchable: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'cascade', readOnly: true }),
    field('invoice', 'Invoice', 'lookup', { lookup: 'invoice', onDelete: 'cascade', readOnly: true }),
    field('schedule', 'Schedule', 'lookup', { lookup: 'dunning_schedule', onDelete: 'clear', readOnly: true }),
    field('dunning_level', 'Level', 'lookup', { lookup: 'dunning_level', onDelete: 'clear', readOnly: true }),
    field('level', 'Level number', 'number', { readOnly: true }),
    field('days_overdue', 'Days overdue', 'number', { readOnly: true }),
    field('open_amount', 'Open amount', 'number', { readOnly: true }),
    field('currency', 'Currency', 'text', { readOnly: true }),
    field('fee', 'Fee', 'number', { readOnly: true }),
    field('status', 'Status', 'picklist', { values: [...REMINDER_STATUSES], readOnly: true }),
    field('to_address', 'Sent to', 'text', { readOnly: true }),
    field('subject', 'Subject', 'text', { readOnly: true }),
    field('claimed_at', 'Claimed', 'datetime', { readOnly: true }),
    field('claim_token', 'Claimed by run', 'text', { readOnly: true }),
    field('attempts', 'Attempts', 'number', { readOnly: true }),
    field('sent_at', 'Sent', 'datetime', { readOnly: true }),
    field('error', 'Error', 'long_text', { readOnly: true }),
    field('task', 'Task', 'lookup', { lookup: 'task', onDelete: 'clear', readOnly: true }),
  ],
});

/** What dunning adds to sales' account. The reminders go to the account's e-mail (sales: "where invoices and payment reminders go"). */
export const accountFields: FieldDefinition[] = [
  field('dunning_schedule', 'Reminder schedule', 'lookup', { lookup: 'dunning_schedule', onDelete: 'clear', helpText: "Empty: the parent account's (up the tree), else the default schedule." }),
  field('dunning_excluded', 'No payment reminders', 'boolean', { defaultValue: false, helpText: 'This account (and no other) never gets payment reminders.' }),
];

/** What dunning adds to invoicing's invoice: a disputed invoice gets no reminders. Set with the dispute command (any status), never by a plain edit. */
export const invoiceFields: FieldDefinition[] = [
  field('disputed', 'Disputed', 'boolean', { defaultValue: false, readOnly: true, helpText: 'The customer disputes this invoice: no payment reminders while it is set. Use "Dispute" on the invoice.' }),
  field('dispute_reason', 'Dispute reason', 'long_text', { readOnly: true }),
];

export const dunningObjects = [dunningSchedule, dunningLevel, dunningReminder];
