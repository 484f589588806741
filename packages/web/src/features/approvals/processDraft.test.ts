import { describe, expect, test } from 'vitest';
import { ApiError } from '../../api/client';
import { mapFormErrors } from '../../lib/formErrors';
import { processInput, type ApprovalProcess } from './api';
import { deepestShown, shownPaths, toDraft, toInput } from './processDraft';

const process: ApprovalProcess = {
  id: '0193a8f0-0000-7000-8000-000000000001', name: 'big_discounts', label: 'Big discount review', object: 'opportunity', active: true, sortOrder: 2,
  entryCriteria: { field: 'amount', op: 'gte', value: 50000 },
  submitters: [{ kind: 'owner' }, { kind: 'role', value: 'sales_ops' }],
  steps: [
    { name: 'Manager', approvers: [{ kind: 'manager' }], mode: 'first', criteria: null },
    { name: 'Finance', criteria: { field: 'amount', op: 'gte', value: 250000 }, approvers: [{ kind: 'group', value: 'finance' }, { kind: 'user', value: 'u1' }], mode: 'unanimous' },
  ],
  fieldUpdates: { submit: { description: 'Waiting for approval' }, approve: { stage: 'negotiation', probability: 60 } },
};

describe('approval process draft', () => {
  test('a saved process comes back from the draft as the body that saves it', () => {
    expect(toInput(toDraft(process))).toEqual(processInput(process));
  });

  test('a new draft: the owner submits, one step to the manager, nothing else', () => {
    expect(toInput(toDraft())).toEqual({
      name: '', label: '', object: '', active: true, sortOrder: 0, entryCriteria: null,
      submitters: [{ kind: 'owner' }], steps: [{ name: '', mode: 'first', criteria: null, approvers: [{ kind: 'manager' }] }],
    });
  });

  test('a kind that names nobody sends no value; a role not chosen yet is left for the server to name', () => {
    const d = toDraft(process);
    d.submitters[1] = { ...d.submitters[1]!, kind: 'editor' };
    d.steps[1]!.approvers[0] = { ...d.steps[1]!.approvers[0]!, kind: 'role', value: undefined };
    const body = toInput(d);
    expect(body.submitters).toEqual([{ kind: 'owner' }, { kind: 'editor' }]);
    expect(body.steps[1]!.approvers[0]).toEqual({ kind: 'role' });
  });

  test("each server error lands on the input its path names, a deeper one on the nearest input above, the rest in the summary", () => {
    const d = toDraft(process);
    const paths = shownPaths(d);
    const error = new ApiError({
      status: 400, code: 'validation_failed', title: 'Bad request', detail: 'Name the role',
      errors: [
        { field: 'steps[1].approvers[0].value', code: 'required', message: 'Name the role' },
        { field: 'steps[0].criteria.and[1]', code: 'invalid_condition', message: 'No field nmae' },
        { field: 'fieldUpdates.approve.stage', code: 'not_writable', message: 'stage is not writable' },
        { field: 'steps[7].name', code: 'required', message: 'Required' },
        { field: 'colour', code: 'unknown_property', message: "Unknown property 'colour'" },
      ],
    });
    const mapped = mapFormErrors(error, { fields: paths, fieldOf: deepestShown(paths) });
    expect(mapped.fields).toEqual({
      'steps[1].approvers[0].value': 'Name the role',
      'steps[0].criteria': 'No field nmae',
      'fieldUpdates.approve.stage': 'stage is not writable',
      steps: 'Required',
    });
    expect(mapped.summary).toBe("colour: Unknown property 'colour'");
  });
});
