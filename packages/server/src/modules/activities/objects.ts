import { defineObject, field } from '../../platform/metadata/define.ts';

/** Standard activity objects (ACT-1, PLT-8). */
export const task = defineObject({
  apiName: 'task',
  label: 'Task',
  pluralLabel: 'Tasks',
  nameField: 'subject',
  navOrder: 40,
  description: 'Things to do and follow-ups, with a due date and an owner.',
  fields: [
    field('subject', 'Subject', 'text', { required: true, searchable: true }),
    field('description', 'Description', 'long_text'),
    field('due_date', 'Due date', 'date'),
    field('status', 'Status', 'picklist', {
      values: ['not_started', 'in_progress', 'completed', 'deferred', 'cancelled'],
      defaultValue: 'not_started',
      required: true,
    }),
    field('priority', 'Priority', 'picklist', { values: ['low', 'normal', 'high'], defaultValue: 'normal' }),
    field('completed_at', 'Completed', 'datetime'),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'clear' }),
    field('contact', 'Contact', 'lookup', { lookup: 'contact', onDelete: 'clear' }),
    field('lead', 'Lead', 'lookup', { lookup: 'lead', onDelete: 'clear' }),
    field('opportunity', 'Opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'clear' }),
  ],
});

export const note = defineObject({
  apiName: 'note',
  label: 'Note',
  pluralLabel: 'Notes',
  nameField: 'title',
  navOrder: 50,
  description: 'Notes kept on accounts, contacts, leads and opportunities.',
  fields: [
    field('title', 'Title', 'text', { required: true, searchable: true }),
    field('body', 'Body', 'long_text', { searchable: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'cascade' }),
    field('contact', 'Contact', 'lookup', { lookup: 'contact', onDelete: 'cascade' }),
    field('lead', 'Lead', 'lookup', { lookup: 'lead', onDelete: 'cascade' }),
    field('opportunity', 'Opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'cascade' }),
  ],
});

export const activityObjects = [task, note];
