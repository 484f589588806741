import { defineObject, field } from '../../platform/metadata/define.ts';

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'recalled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const DECISIONS = ['pending', 'approved', 'rejected', 'not_needed', 'recalled'] as const;
export type Decision = (typeof DECISIONS)[number];

/**
 * One submission of a record for approval (docs/automation.md#approvals): which process, who
 * submitted, the step it waits at and how it ended. Only the approval commands write it.
 */
export const approvalRequest = defineObject({
  apiName: 'approval_request',
  label: 'Approval request',
  pluralLabel: 'Approval requests',
  nameField: 'name',
  navOrder: 95,
  inNavigation: false,
  description: 'A record submitted for approval: the process, the submitter, the current step and the outcome.',
  listColumns: ['target_object', 'status', 'step_name', 'submitted_by'],
  writtenBySystem: true,
  fields: [
    field('name', 'Request', 'text', { readOnly: true }),
    field('target_object', 'Object', 'text', { readOnly: true }),
    field('record_id', 'Record id', 'text', { readOnly: true }),
    field('process', 'Process', 'text', { readOnly: true }),
    field('status', 'Status', 'picklist', { values: [...REQUEST_STATUSES], readOnly: true }),
    field('current_step', 'Step number', 'number', { readOnly: true }),
    field('step_name', 'Current step', 'text', { readOnly: true }),
    field('submitted_by', 'Submitted by', 'user', { readOnly: true }),
    field('submitted_at', 'Submitted', 'datetime', { readOnly: true }),
    field('decided_at', 'Decided', 'datetime', { readOnly: true }),
    field('comment', 'Submitter comment', 'long_text', { readOnly: true }),
  ],
});

/** One approver's part in one step of a request: pending until they answer (or the step no longer needs them). */
export const approvalStepResult = defineObject({
  apiName: 'approval_step_result',
  label: 'Approval step result',
  pluralLabel: 'Approval step results',
  nameField: 'name',
  navOrder: 96,
  inNavigation: false,
  description: "An approver's answer at one step of an approval request.",
  listColumns: ['request', 'step_name', 'approver', 'decision'],
  writtenBySystem: true,
  fields: [
    field('name', 'Step result', 'text', { readOnly: true }),
    field('request', 'Request', 'lookup', { lookup: 'approval_request', onDelete: 'cascade', required: true }),
    field('step', 'Step number', 'number', { readOnly: true }),
    field('step_name', 'Step', 'text', { readOnly: true }),
    field('approver', 'Approver', 'user', { readOnly: true }),
    field('decision', 'Decision', 'picklist', { values: [...DECISIONS], readOnly: true }),
    field('comment', 'Comment', 'long_text', { readOnly: true }),
    field('decided_at', 'Decided', 'datetime', { readOnly: true }),
    field('decided_via', 'Answered from', 'picklist', { values: [{ value: 'web', label: 'Web app' }, { value: 'email', label: 'E-mail link' }], readOnly: true }),
  ],
});

export const approvalObjects = [approvalRequest, approvalStepResult];
