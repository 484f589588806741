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
  mergeable: true,
  label: 'Account',
  pluralLabel: 'Accounts',
  nameField: 'name',
  navOrder: 10,
  description: 'Companies you do business with, arranged as a tree of branches and divisions.',
  listColumns: ['type', 'industry', 'phone', 'owner'],
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
  mergeable: true,
  label: 'Contact',
  pluralLabel: 'Contacts',
  nameField: 'full_name',
  navOrder: 20,
  description: 'People at your accounts.',
  listColumns: ['account', 'email', 'phone', 'owner'],
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
  mergeable: true,
  label: 'Lead',
  pluralLabel: 'Leads',
  nameField: 'full_name',
  navOrder: 5,
  description: 'Prospective customers, companies or individuals, not yet qualified.',
  listColumns: ['company', 'status', 'email', 'owner'],
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
    // Set only by the conversion command (commands/convertLead.ts).
    field('converted_at', 'Converted', 'datetime', { readOnly: true }),
    field('converted_account', 'Converted account', 'lookup', { lookup: 'account', onDelete: 'clear', readOnly: true }),
    field('converted_contact', 'Converted contact', 'lookup', { lookup: 'contact', onDelete: 'clear', readOnly: true }),
    field('converted_opportunity', 'Converted opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'clear', readOnly: true }),
  ],
});

export const OPPORTUNITY_STAGES = ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation', 'closed_won', 'partially_won', 'closed_lost'];
export const LOST_REASONS = ['price', 'competitor', 'no_budget', 'timing', 'no_decision', 'other'];
export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'];

export const opportunity = defineObject({
  apiName: 'opportunity',
  label: 'Opportunity',
  pluralLabel: 'Opportunities',
  nameField: 'name',
  navOrder: 30,
  description: 'Deals in progress, from first contact to won or lost.',
  listColumns: ['stage', 'close_date', 'owner', 'amount'],
  fields: [
    field('name', 'Opportunity name', 'text', { required: true, searchable: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict' }),
    field('lead', 'Lead', 'lookup', { lookup: 'lead', onDelete: 'clear', helpText: 'The lead this deal came from.' }),
    field('amount', 'Amount', 'currency'),
    field('currency', 'Currency', 'picklist', { values: currencyValues, defaultValue: 'USD' }),
    field('gross_profit', 'Potential gross profit', 'currency'),
    field('close_date', 'Close date', 'date', { required: true }),
    field('pipeline', 'Pipeline', 'lookup', { lookup: 'pipeline', onDelete: 'restrict', helpText: 'Empty means the default pipeline.' }),
    field('stage', 'Stage', 'picklist', { values: OPPORTUNITY_STAGES, defaultValue: 'prospecting', required: true }),
    field('probability', 'Probability %', 'percent', { helpText: "Set from the stage unless you enter your own." }),
    field('probability_overridden', 'Probability overridden', 'boolean', { readOnly: true }),
    field('forecast_category', 'Forecast category', 'picklist', { values: FORECAST_CATEGORIES }),
    field('stage_changed_at', 'Stage changed', 'datetime', { readOnly: true }),
    field('stalled', 'Stalled', 'boolean', { readOnly: true, helpText: 'No stage change for longer than the pipeline allows.' }),
    field('won_amount', 'Won amount', 'currency', { helpText: 'Required for partially won deals.' }),
    field('lost_reason', 'Lost reason', 'picklist', { values: LOST_REASONS }),
    field('lost_reason_detail', 'Lost reason detail', 'long_text'),
    field('closed_at', 'Closed', 'date', { readOnly: true }),
    field('type', 'Type', 'picklist', { values: ['new_business', 'existing_business', 'renewal', 'upsell'] }),
    field('lead_source', 'Lead source', 'picklist', { values: LEAD_SOURCES }),
    field('next_step', 'Next step', 'text'),
    field('stage_skip_reason', 'Reason for skipping stages', 'text', { helpText: 'Needed when a pipeline that requires stages in order is skipped; kept in the stage history.' }),
    field('description', 'Description', 'long_text'),
  ],
});

/** Backup PMs and other people working an account (SAL-2). The account manager and main PM are fields on account. */
export const accountTeamMember = defineObject({
  apiName: 'account_team_member',
  label: 'Account team member',
  pluralLabel: 'Account team',
  nameField: 'name',
  navOrder: 110,
  inNavigation: false,
  description: 'People with a role on an account, such as backup project managers.',
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'cascade', required: true }),
    field('user', 'User', 'user', { required: true }),
    field('role', 'Role', 'picklist', {
      values: [{ value: 'backup_pm', label: 'Backup PM' }, 'sales_rep', 'support', 'production', 'finance', 'other'],
      defaultValue: 'backup_pm',
      required: true,
    }),
  ],
});

/** A contact's role on an account other than (or besides) its own (SAL-4). */
export const accountContactRole = defineObject({
  apiName: 'account_contact_role',
  label: 'Account contact role',
  pluralLabel: 'Account contact roles',
  nameField: 'name',
  navOrder: 111,
  inNavigation: false,
  description: 'Contacts linked to several accounts, each with a role.',
  fields: [
    field('name', 'Name', 'text', { readOnly: true, searchable: true }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'cascade', required: true }),
    field('contact', 'Contact', 'lookup', { lookup: 'contact', onDelete: 'cascade', required: true }),
    field('role', 'Role', 'picklist', {
      values: ['decision_maker', 'economic_buyer', 'influencer', 'technical', 'billing', 'site', 'user', 'other'],
      defaultValue: 'other',
      required: true,
    }),
  ],
});

/** Sales processes as data (SAL-9): stages, probabilities and rules live in pipeline_stage records. */
export const pipeline = defineObject({
  apiName: 'pipeline',
  label: 'Pipeline',
  pluralLabel: 'Pipelines',
  nameField: 'name',
  navOrder: 120,
  inNavigation: false,
  description: 'Sales processes: the stages a deal goes through.',
  fields: [
    field('name', 'Pipeline name', 'text', { required: true, searchable: true }),
    field('is_default', 'Default pipeline', 'boolean', { defaultValue: false, helpText: 'Used for opportunities without a pipeline.' }),
    field('stalled_after_days', 'Stalled after (days)', 'number', { defaultValue: 30, helpText: 'Deals without a stage change for this long are flagged stalled; 0 turns it off.' }),
    field('require_stage_order', 'Require stages in order', 'boolean', {
      defaultValue: false,
      helpText: 'Deals move forward one open stage at a time; skipping needs the "Skip pipeline stages" permission and a reason. Losing a deal is always allowed.',
    }),
    field('description', 'Description', 'long_text'),
  ],
});

export const pipelineStage = defineObject({
  apiName: 'pipeline_stage',
  label: 'Pipeline stage',
  pluralLabel: 'Pipeline stages',
  nameField: 'name',
  navOrder: 121,
  inNavigation: false,
  description: 'One stage of a pipeline with its probability, forecast category and rules.',
  fields: [
    field('name', 'Stage name', 'text', { required: true, searchable: true }),
    field('pipeline', 'Pipeline', 'lookup', { lookup: 'pipeline', onDelete: 'cascade', required: true }),
    field('api_value', 'Stage value', 'picklist', { values: OPPORTUNITY_STAGES, required: true, helpText: "The opportunity's stage picklist value." }),
    field('order', 'Order', 'number', { required: true }),
    field('probability', 'Probability %', 'percent'),
    field('forecast_category', 'Forecast category', 'picklist', { values: FORECAST_CATEGORIES, defaultValue: 'pipeline' }),
    field('is_won', 'Won', 'boolean', { defaultValue: false }),
    field('is_lost', 'Lost', 'boolean', { defaultValue: false }),
    field('is_partial', 'Partially won', 'boolean', { defaultValue: false, helpText: 'A won stage where only part of the amount was won.' }),
    field('required_fields', 'Required fields', 'text', { helpText: 'Opportunity fields (API names, comma-separated) that must be filled to enter this stage.' }),
    field('allowed_backward', 'Allowed backward moves', 'text', { helpText: 'Stage values (comma-separated) a deal may move back to from here.' }),
  ],
});

export const opportunityStageHistory = defineObject({
  apiName: 'opportunity_stage_history',
  accessFrom: 'opportunity',
  label: 'Stage change',
  pluralLabel: 'Stage history',
  nameField: 'name',
  navOrder: 122,
  inNavigation: false,
  description: 'Every stage change of every opportunity, written by Meridian.',
  fields: [
    field('name', 'Change', 'text'),
    field('opportunity', 'Opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'cascade', required: true }),
    field('from_stage', 'From stage', 'text'),
    field('to_stage', 'To stage', 'text', { required: true }),
    field('changed_at', 'Changed', 'datetime', { required: true }),
    field('time_in_previous_stage_seconds', 'Seconds in previous stage', 'number'),
    // Number fields have no scale of their own: the writer rounds to 2 decimals (reports average days, not seconds).
    field('days_in_previous_stage', 'Days in previous stage', 'number', { readOnly: true, helpText: 'Seconds in previous stage ÷ 86,400, to two decimals.' }),
    field('changed_by', 'Changed by', 'user', { onDelete: 'restrict' }),
    field('skip_reason', 'Reason for skipping stages', 'text'),
    field('amount', 'Amount at change', 'currency'),
    field('probability', 'Probability at change', 'percent'),
  ],
});

/** Where lost deals go for review, by reason (SAL-10). */
export const lostReasonRoute = defineObject({
  apiName: 'lost_reason_route',
  label: 'Lost reason route',
  pluralLabel: 'Lost reason routes',
  nameField: 'reason',
  navOrder: 123,
  inNavigation: false,
  description: 'Who reviews lost opportunities, per lost reason.',
  fields: [
    field('reason', 'Lost reason', 'picklist', { values: LOST_REASONS, required: true }),
    field('review_user', 'Reviewer', 'user', { required: true, helpText: 'Owner of the review group for this reason; gets a review task.' }),
    field('review_group', 'Review group', 'text'),
  ],
});

/** A job won from an opportunity (SAL-10, SAL-15). */
export const project = defineObject({
  apiName: 'project',
  label: 'Project',
  pluralLabel: 'Projects',
  nameField: 'name',
  navOrder: 35,
  description: 'Work won from opportunities.',
  fields: [
    field('name', 'Project name', 'text', { required: true, searchable: true }),
    field('opportunity', 'Opportunity', 'lookup', { lookup: 'opportunity', onDelete: 'restrict' }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'restrict' }),
    field('status', 'Status', 'picklist', { values: ['planned', 'in_progress', 'on_hold', 'completed', 'cancelled'], defaultValue: 'planned', required: true }),
    field('start_date', 'Start date', 'date'),
    field('amount', 'Amount', 'currency'),
    field('gross_profit', 'Gross profit', 'currency'),
    field('project_manager', 'Project manager', 'user'),
  ],
});
