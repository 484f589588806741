import { defineObject, field } from '../../platform/metadata/define.ts';

export const TRIGGERS = ['created', 'updated', 'created_or_updated', 'deleted', 'field_changed', 'scheduled'] as const;
export type Trigger = (typeof TRIGGERS)[number];
export const PHASES = ['before_save', 'after_save'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * A workflow rule (AUT-1, docs/automation.md): on which object, for which change, under which
 * entry condition (the condition language, JSON), and the actions it takes (a JSON list checked
 * against the action registry). Both JSON parts are checked when the rule is saved (hooks.ts) and
 * kept canonical, so the engine trusts what it reads from the cache.
 */
export const automationRule = defineObject({
  apiName: 'automation_rule',
  label: 'Workflow rule',
  pluralLabel: 'Workflow rules',
  nameField: 'name',
  navOrder: 90,
  description: 'Workflow rules: when a record of an object is created, changed or deleted and meets a condition, update fields, create records, notify, e-mail or call a webhook.',
  listColumns: ['target_object', 'trigger', 'phase', 'active'],
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('target_object', 'Object', 'text', { required: true, helpText: 'API name of the object whose records trigger the rule, e.g. opportunity.' }),
    field('active', 'Active', 'boolean', { defaultValue: true }),
    field('run_order', 'Order', 'number', { defaultValue: 100, helpText: 'Rules of one object and phase run in ascending order.' }),
    field('trigger', 'Trigger', 'picklist', { values: [...TRIGGERS], required: true }),
    field('trigger_field', 'Changed field', 'text', { helpText: 'For "field changed": the field that must change.' }),
    field('trigger_from', 'Changed from', 'text', { helpText: 'Optional: only when the field had this value before (JSON or plain text).' }),
    field('trigger_to', 'Changed to', 'text', { helpText: 'Optional: only when the field gets this value (JSON or plain text).' }),
    field('schedule_cron', 'Schedule', 'text', { helpText: 'For "scheduled": a cron expression in the organisation’s time zone, e.g. 0 8 * * 1 (Mondays 08:00); the condition selects the records.' }),
    field('condition', 'Entry condition', 'long_text', { helpText: 'A condition in the filter language (JSON), e.g. {"field":"amount","op":"gt","value":10000}. Empty: every record.' }),
    field('only_on_change', 'Only when the record starts to meet the condition', 'boolean', { defaultValue: false, helpText: 'Runs when a save makes the condition true, not on every later save while it stays true.' }),
    field('phase', 'Phase', 'picklist', { values: [...PHASES], defaultValue: 'after_save', required: true, helpText: 'Before save: changes the record itself in the same write. After save: actions run after the commit, retried on failure.' }),
    field('delay_amount', 'Delay', 'number', { helpText: 'Time-based: run the actions this many units after (negative: before) the event or a date field. Empty: at once.' }),
    field('delay_unit', 'Delay unit', 'picklist', { values: ['minutes', 'hours', 'days'], defaultValue: 'days' }),
    field('delay_from', 'Delay from', 'text', { helpText: "'event' (the change that triggered it, default) or a date or date-time field, e.g. close_date." }),
    field('actions', 'Actions', 'long_text', { required: true, helpText: 'A JSON list of actions, see docs/automation.md.' }),
    field('disabled_reason', 'Disabled because', 'text', { readOnly: true, helpText: 'Set when Meridian switched the rule off (a field it uses was deleted).' }),
    field('description', 'Description', 'long_text'),
  ],
});

export const automationObjects = [automationRule];
