import { defineObject, field } from '../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../platform/metadata/types.ts';
import { bookingLink } from './scheduling/objects.ts';

/**
 * Standard activity objects (ACT-1, PLT-8): task, meeting, call, email_log and note, plus the
 * activity_link junction that relates one activity to any number of records.
 *
 * The typed lookups (account, contact, lead, opportunity) stay on every activity as the
 * "primary regarding" record that list views filter on; hooks.ts mirrors them into
 * activity_link, which is what the timeline reads. So a meeting whose account is A and which is
 * linked to contacts C1 and C2 and opportunity O appears on all four timelines.
 */
export const TASK_STATUSES = ['not_started', 'in_progress', 'completed', 'deferred', 'cancelled'] as const;
export const OPEN_TASK_STATUSES = ['not_started', 'in_progress', 'deferred'] as const;
export const EVENT_STATUSES = ['scheduled', 'held', 'cancelled'] as const;
export const CALL_OUTCOMES = ['reached', 'voicemail', 'no_answer'] as const;

/** What an attached document is; admins can add values (PLT-7). */
export const DOCUMENT_TYPES = ['photo', 'contract', 'signed_quote', 'invoice', 'certificate', 'compliance_document', 'other'] as const;

/** Records an activity can be filed against through its typed lookups. */
export const REGARDING = ['account', 'contact', 'lead', 'opportunity'] as const;

const regarding = (onDelete: 'clear' | 'cascade'): FieldDefinition[] => REGARDING.map((o) => field(o, o.charAt(0).toUpperCase() + o.slice(1), 'lookup', { lookup: o, onDelete }));

const priority = () => field('priority', 'Priority', 'picklist', { values: ['low', 'normal', 'high'], defaultValue: 'normal' });
const recurrence = (): FieldDefinition[] => [
  field('recurrence_rule', 'Repeats', 'text', { helpText: 'RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10' }),
  field('recurrence_exceptions', 'Skipped occurrences', 'long_text', { helpText: 'Original starts (or due dates) of occurrences left out, one per line' }),
];
const reminder = () => field('reminder_minutes', 'Reminder (minutes before)', 'number', { helpText: 'Minutes before the due date or start to remind the owner' });

export const task = defineObject({
  apiName: 'task',
  label: 'Task',
  pluralLabel: 'Tasks',
  nameField: 'subject',
  navOrder: 40,
  description: 'Things to do and follow-ups, with a due date and an owner (the assignee).',
  listColumns: ['status', 'due_date', 'priority', 'owner'],
  fields: [
    field('subject', 'Subject', 'text', { required: true, searchable: true }),
    field('description', 'Description', 'long_text'),
    field('due_date', 'Due date', 'date'),
    field('status', 'Status', 'picklist', { values: [...TASK_STATUSES], defaultValue: 'not_started', required: true }),
    priority(),
    field('completed_at', 'Completed', 'datetime', { readOnly: true }),
    reminder(),
    ...recurrence(),
    ...regarding('clear'),
  ],
});

const eventFields = (): FieldDefinition[] => [
  field('subject', 'Subject', 'text', { required: true, searchable: true }),
  field('description', 'Description', 'long_text'),
  field('start_at', 'Start', 'datetime', { required: true }),
  field('end_at', 'End', 'datetime'),
  field('time_zone', 'Time zone', 'text', { helpText: 'IANA time zone the times were entered in, e.g. Europe/Berlin' }),
  field('status', 'Status', 'picklist', { values: [...EVENT_STATUSES], defaultValue: 'scheduled', required: true }),
  priority(),
  reminder(),
  ...recurrence(),
];

export const meeting = defineObject({
  apiName: 'meeting',
  label: 'Meeting',
  pluralLabel: 'Meetings',
  nameField: 'subject',
  navOrder: 41,
  description: 'Scheduled meetings with a start, an end and a time zone.',
  listColumns: ['start_at', 'status', 'owner'],
  fields: [...eventFields(), field('location', 'Location', 'text'), ...regarding('clear')],
});

export const call = defineObject({
  apiName: 'call',
  label: 'Call',
  pluralLabel: 'Calls',
  nameField: 'subject',
  navOrder: 42,
  description: 'Scheduled or logged phone calls and their outcome.',
  fields: [...eventFields(), field('outcome', 'Outcome', 'picklist', { values: [...CALL_OUTCOMES] }), field('phone', 'Phone', 'phone'), ...regarding('clear')],
});

export const emailLog = defineObject({
  apiName: 'email_log',
  label: 'Logged e-mail',
  pluralLabel: 'Logged e-mails',
  nameField: 'subject',
  navOrder: 43,
  description: 'E-mails sent or received, logged against records.',
  fields: [
    field('subject', 'Subject', 'text', { required: true, searchable: true }),
    field('body', 'Body', 'long_text'),
    field('direction', 'Direction', 'picklist', { values: ['outbound', 'inbound'], defaultValue: 'outbound', required: true }),
    field('from_address', 'From', 'email'),
    field('to_addresses', 'To', 'text'),
    field('sent_at', 'Sent', 'datetime'),
    ...regarding('clear'),
  ],
});

export const note = defineObject({
  apiName: 'note',
  label: 'Note',
  pluralLabel: 'Notes',
  nameField: 'title',
  navOrder: 50,
  description: 'Notes kept on accounts, contacts, leads and opportunities; the body is sanitised HTML.',
  fields: [
    field('title', 'Title', 'text', { required: true, searchable: true }),
    field('body', 'Body', 'long_text', { searchable: true }),
    ...regarding('cascade'),
  ],
});

/**
 * A file on one or more records (seed 003). The bytes live in the file store (attachments/), the
 * record holds what the server found out about them: clients set only the name and description,
 * the upload endpoint sets the rest (attachments/rules.ts refuses a generic create).
 */
export const attachment = defineObject({
  apiName: 'attachment',
  label: 'Attachment',
  pluralLabel: 'Attachments',
  nameField: 'file_name',
  navOrder: 51,
  inNavigation: false,
  description: 'Files attached to records; upload with POST /{object}/{id}/attachments.',
  fields: [
    field('file_name', 'File name', 'text', { required: true, searchable: true }),
    field('description', 'Description', 'long_text'),
    // PLT-7: what the document is and until when it is valid (certificates, compliance documents).
    field('document_type', 'Document type', 'picklist', { values: [...DOCUMENT_TYPES] }),
    field('expires_on', 'Expires on', 'date', { helpText: 'Last day the document is valid, e.g. of a certificate' }),
    field('content_type', 'Content type', 'text', { readOnly: true, helpText: 'Detected from the file contents' }),
    field('size_bytes', 'Size (bytes)', 'number', { readOnly: true }),
    field('sha256', 'SHA-256', 'text', { readOnly: true }),
    field('storage_key', 'Storage key', 'text', { readOnly: true, helpText: 'Where the file store keeps the bytes; set by the server' }),
    ...regarding('cascade'),
  ],
});

export const activityLink = defineObject({
  apiName: 'activity_link',
  label: 'Activity link',
  pluralLabel: 'Activity links',
  nameField: 'record_object',
  navOrder: 49,
  inNavigation: false,
  description: 'Relates one activity (task, meeting, call, logged e-mail, note, attachment) to one record of any object.',
  fields: [
    field('activity_object', 'Activity object', 'text', { required: true }),
    field('activity_id', 'Activity ID', 'text', { required: true }),
    field('record_object', 'Record object', 'text', { required: true }),
    field('record_id', 'Record ID', 'text', { required: true }),
    // Copies of what orders the activity on timelines, kept by rules/linkSortKeys.ts.
    field('sort_at', 'Happens at', 'datetime', { readOnly: true }),
    field('upcoming_until', 'Upcoming until', 'datetime', { readOnly: true }),
  ],
});

/** An invitee's answer, as in iCalendar's PARTSTAT (NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE). */
export const INVITEE_RESPONSES = ['needs_action', 'accepted', 'declined', 'tentative'] as const;

/**
 * Who is invited to a meeting: one row per person, a colleague (`user`) or a contact (`contact`),
 * exactly one of the two (rules/invitees.ts), with their answer.
 *
 * Why an object of its own rather than activity_link: a link says what a meeting is *about* (it
 * puts the meeting on that record's timeline — "related records"), an invitation says who
 * *attends*, with an answer, and users are not records an activity is filed against. A junction
 * object with real lookups, like account_team_member and account_contact_role, gets the record
 * pipeline for free: lookup checks (a contact the writer cannot see is refused like a missing
 * one), history, events, the recycle bin, and `cascade` so deleting the meeting (or the contact)
 * takes its invitations along and a restore brings them back. An invited user may read the
 * meeting through the platform's record team (a `read` member with team_role `invitee`).
 */
export const meetingInvitee = defineObject({
  apiName: 'meeting_invitee',
  label: 'Meeting invitee',
  pluralLabel: 'Meeting invitees',
  nameField: 'name',
  navOrder: 48,
  inNavigation: false,
  description: 'People invited to a meeting: colleagues (user) or contacts, with their response.',
  listColumns: ['meeting', 'response'],
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('meeting', 'Meeting', 'lookup', { lookup: 'meeting', onDelete: 'cascade', required: true }),
    field('user', 'User', 'user', { helpText: 'A colleague; leave empty for a contact' }),
    field('contact', 'Contact', 'lookup', { lookup: 'contact', onDelete: 'cascade', helpText: 'A contact; leave empty for a colleague' }),
    field('response', 'Response', 'picklist', {
      values: [{ value: 'needs_action', label: 'No answer yet' }, 'accepted', 'declined', 'tentative'],
      defaultValue: 'needs_action',
      required: true,
    }),
  ],
});

/** Objects the timeline and activity_link accept as activities, with the column that dates them. */
export const ACTIVITY_OBJECTS = ['task', 'meeting', 'call', 'email_log', 'note', 'attachment'] as const;
export type ActivityObject = (typeof ACTIVITY_OBJECTS)[number];

export const activityObjects = [task, meeting, call, emailLog, note, attachment, activityLink, meetingInvitee, bookingLink];
