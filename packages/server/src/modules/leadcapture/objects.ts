import { defineObject, field } from '../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../platform/metadata/types.ts';

/**
 * Lead capture and routing (issue 14 items 8–10, SAL-6, seed 002 "90% of leads contacted within
 * 15 minutes"; docs/automation.md "Lead capture"). Forms and their submissions, assignment rules,
 * groups for round robin, territories and out-of-office periods are records (the generic pages
 * edit them); counters that must be exact under concurrency live in this module's own tables
 * (startup.ts).
 */
export const webForm = defineObject({
  apiName: 'web_form',
  label: 'Web form',
  pluralLabel: 'Web forms',
  nameField: 'name',
  navOrder: 6,
  description: 'Web-to-lead forms: a hosted page and an embeddable snippet that create leads, with spam protection.',
  listColumns: ['active', 'source', 'campaign'],
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('active', 'Active', 'boolean', { defaultValue: true, helpText: 'An inactive form answers 404 to visitors: its links and snippets stop working.' }),
    field('fields', 'Fields', 'text', {
      required: true, defaultValue: 'first_name, last_name*, email*, company, phone',
      helpText: 'Lead fields shown, in order, comma-separated; a * marks a required one (last_name is always required). e.g. first_name, last_name*, email*, company',
    }),
    field('source', 'Lead source', 'text', { defaultValue: 'web', helpText: "Hidden: the lead's source (one of the lead's source values)." }),
    field('campaign', 'Campaign', 'text', { helpText: "Hidden: the lead's campaign." }),
    field('thank_you', 'Thank-you message', 'long_text', { defaultValue: 'Thank you, we will be in touch shortly.' }),
    field('redirect_url', 'Redirect URL', 'url', { helpText: 'Instead of the message: the page the visitor is sent to after submitting (https).' }),
    field('min_seconds', 'Minimum seconds to submit', 'number', { defaultValue: 3, helpText: 'Faster submissions are blocked as automated (0 = no minimum).' }),
    field('proof_of_work', 'Proof-of-work challenge', 'boolean', { defaultValue: false, helpText: "The visitor's browser solves a small computation before submitting (no third party)." }),
    field('public_id', 'Public id', 'text', { readOnly: true, unique: true, helpText: 'Unguessable id in the hosted link and the snippet; set by Meridian.' }),
  ],
});

/** One submission: the lead it created or the lead or contact it was attached to (never a duplicate lead). */
export const formSubmission = defineObject({
  apiName: 'form_submission',
  label: 'Form submission',
  pluralLabel: 'Form submissions',
  nameField: 'name',
  navOrder: 7,
  inNavigation: false,
  writtenBySystem: true,
  timelineOn: ['lead', 'contact'],
  description: 'What a web form or the capture mailbox received and which lead or contact it went to.',
  listColumns: ['web_form', 'outcome', 'lead', 'contact'],
  fields: [
    field('name', 'Submission', 'text', { readOnly: true, searchable: true }),
    field('web_form', 'Web form', 'lookup', { lookup: 'web_form', onDelete: 'clear', readOnly: true }),
    field('channel', 'Channel', 'picklist', { values: ['form', 'email'], readOnly: true }),
    field('outcome', 'Outcome', 'picklist', { values: ['created', 'attached'], readOnly: true }),
    field('lead', 'Lead', 'lookup', { lookup: 'lead', onDelete: 'clear', readOnly: true }),
    field('contact', 'Contact', 'lookup', { lookup: 'contact', onDelete: 'clear', readOnly: true }),
    field('email', 'E-mail', 'email', { readOnly: true }),
    field('submitted', 'Submitted values', 'long_text', { readOnly: true }),
  ],
});

export const ASSIGNMENT_TARGETS = ['user', 'queue', 'round_robin', 'territory'] as const;

export const assignmentRule = defineObject({
  apiName: 'assignment_rule',
  label: 'Assignment rule',
  pluralLabel: 'Assignment rules',
  nameField: 'name',
  navOrder: 8,
  description: 'Who gets a new lead: ordered rules, the first whose condition matches decides (a user, a queue, round robin in a group, or territories).',
  listColumns: ['sort_order', 'active', 'target'],
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('sort_order', 'Order', 'number', { required: true, defaultValue: 10, helpText: 'Lower first.' }),
    field('active', 'Active', 'boolean', { defaultValue: true }),
    field('condition', 'Condition', 'long_text', { helpText: 'The condition language over the lead (JSON), e.g. {"field":"address_country","op":"eq","value":"US"}; empty matches every lead.' }),
    field('target', 'Assign to', 'picklist', { values: [...ASSIGNMENT_TARGETS], required: true, defaultValue: 'round_robin' }),
    field('user', 'User', 'user', { helpText: 'For "user".' }),
    field('queue', 'Queue', 'text', { helpText: 'For "queue": the lead stays without an owner in this queue.' }),
    field('assignment_group', 'Group', 'lookup', { lookup: 'assignment_group', onDelete: 'restrict', helpText: 'For "round robin".' }),
  ],
});

export const assignmentGroup = defineObject({
  apiName: 'assignment_group',
  label: 'Assignment group',
  pluralLabel: 'Assignment groups',
  nameField: 'name',
  navOrder: 9,
  inNavigation: false,
  description: 'Reps who take turns (round robin) with new leads.',
  fields: [field('name', 'Name', 'text', { required: true, searchable: true })],
});

export const assignmentGroupMember = defineObject({
  apiName: 'assignment_group_member',
  label: 'Group member',
  pluralLabel: 'Group members',
  nameField: 'name',
  navOrder: 9,
  inNavigation: false,
  description: 'A rep in an assignment group.',
  listColumns: ['assignment_group', 'user'],
  fields: [
    field('name', 'Name', 'text', { searchable: true }),
    field('assignment_group', 'Group', 'lookup', { lookup: 'assignment_group', onDelete: 'cascade', required: true }),
    field('user', 'User', 'user', { required: true }),
  ],
});

export const territory = defineObject({
  apiName: 'territory',
  label: 'Territory',
  pluralLabel: 'Territories',
  nameField: 'name',
  navOrder: 9,
  inNavigation: false,
  description: 'Where a lead belongs by country, state, postal-code range and industry; used by assignment rules that assign by territory.',
  listColumns: ['sort_order', 'countries', 'states', 'user'],
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('sort_order', 'Order', 'number', { required: true, defaultValue: 10, helpText: 'The first matching territory wins; lower first.' }),
    field('countries', 'Countries', 'text', { helpText: 'Comma-separated, as written on leads (e.g. US, Canada); empty: any.' }),
    field('states', 'States', 'text', { helpText: 'Comma-separated; empty: any.' }),
    field('postal_from', 'Postal code from', 'text', { helpText: 'Inclusive; numbers compare as numbers, others as text.' }),
    field('postal_to', 'Postal code to', 'text'),
    field('industries', 'Industries', 'text', { helpText: 'Comma-separated industry values; empty: any.' }),
    field('user', 'User', 'user', { helpText: 'Who gets its leads …' }),
    field('assignment_group', 'Group', 'lookup', { lookup: 'assignment_group', onDelete: 'restrict', helpText: '… or a group taking turns.' }),
  ],
});

/** Users are the platform's: a rep's absences are this module's records. */
export const outOfOffice = defineObject({
  apiName: 'out_of_office',
  label: 'Out of office',
  pluralLabel: 'Out of office',
  nameField: 'name',
  navOrder: 9,
  inNavigation: false,
  description: 'Periods a rep gets no new leads (assignment skips them).',
  listColumns: ['user', 'starts_on', 'ends_on'],
  fields: [
    field('name', 'Name', 'text', { searchable: true }),
    field('user', 'User', 'user', { required: true }),
    field('starts_on', 'From', 'date', { required: true }),
    field('ends_on', 'Until', 'date', { required: true, helpText: 'Inclusive.' }),
  ],
});

/** What lead capture adds to sales' lead. */
export const leadFields: FieldDefinition[] = [
  field('web_form', 'Web form', 'lookup', { lookup: 'web_form', onDelete: 'clear', readOnly: true }),
  field('utm_source', 'UTM source', 'text'),
  field('utm_medium', 'UTM medium', 'text'),
  field('utm_campaign', 'UTM campaign', 'text'),
  field('utm_term', 'UTM term', 'text'),
  field('utm_content', 'UTM content', 'text'),
  field('lead_queue', 'Queue', 'text', { helpText: 'Set by an assignment rule that routes to a queue.' }),
  field('assign_by_rules', 'Assign using rules', 'boolean', { defaultValue: false, helpText: 'On save, the assignment rules choose the owner (leads without an owner always go through them).' }),
];

export const leadCaptureObjects = [webForm, formSubmission, assignmentRule, assignmentGroup, assignmentGroupMember, territory, outOfOffice];
