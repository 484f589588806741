import { describe, expect, test } from 'vitest';
import { ApiError } from '../api/client';
import { mapFormErrors } from './formErrors';
import { toCsv } from './csv';
import { conditionToGroup, groupToCondition, isComplete } from './conditions';
import { isoToWall, wallToIso } from './tz';

describe('csv', () => {
  test('quotes what needs quoting and defuses formulas', () => {
    expect(toCsv([['a', 'b,c', 'say "hi"'], ['=SUM(A1)', 'line\nbreak', '']])).toBe('a,"b,c","say ""hi"""\r\n\'=SUM(A1),"line\nbreak",\r\n');
  });
});

describe('time zones', () => {
  test('an instant shown and entered as wall-clock time in the user zone', () => {
    expect(isoToWall('2026-03-01T12:00:00.000Z', 'Europe/Berlin')).toBe('2026-03-01 13:00:00');
    expect(wallToIso('2026-03-01 13:00:00', 'Europe/Berlin')).toBe('2026-03-01T12:00:00.000Z');
    // Summer time: +2 h.
    expect(wallToIso('2026-07-01 09:30', 'Europe/Berlin')).toBe('2026-07-01T07:30:00.000Z');
    expect(wallToIso('2026-07-01 09:30', 'America/New_York')).toBe('2026-07-01T13:30:00.000Z');
  });
});

describe('filter builder model', () => {
  test('flat groups round-trip; deeper conditions are left to the JSON editor', () => {
    const c = { or: [{ field: 'stage', op: 'eq' as const, value: 'proposal' }, { field: 'amount', op: 'gt' as const, value: 100 }] };
    expect(groupToCondition(conditionToGroup(c)!)).toEqual(c);
    expect(conditionToGroup({ and: [{ not: { field: 'a', op: 'eq', value: 1 } }] })).toBeNull();
    expect(groupToCondition({ combinator: 'and', rules: [{ key: 'x', field: 'name', op: 'contains', value: '' }] })).toBeNull();
  });
  test('isNull needs no value; between needs both ends', () => {
    expect(isComplete({ key: 'a', field: 'f', op: 'isNull', value: undefined })).toBe(true);
    expect(isComplete({ key: 'a', field: 'f', op: 'between', value: [1, null] })).toBe(false);
    expect(groupToCondition({ combinator: 'and', rules: [{ key: 'a', field: 'f', op: 'isNull', value: false }] })).toEqual({ field: 'f', op: 'isNull', value: false });
  });
});

describe('form errors', () => {
  const problem = (errors: { field: string; code: string; message: string }[]) => new ApiError({ status: 422, code: 'validation_failed', detail: 'Invalid', errors });
  test('field errors land on the fields that show them, the rest in the summary', () => {
    const mapped = mapFormErrors(problem([
      { field: 'email', code: 'format', message: 'Not an e-mail address' },
      { field: 'email', code: 'unique', message: 'Taken' },
      { field: 'picklist.values[2].label', code: 'required', message: 'Give the value a label' },
      { field: 'secret', code: 'x', message: 'Not allowed' },
      { field: '', code: 'rule', message: 'Close date must follow the start' },
    ]), { fields: ['email', 'picklist'] });
    expect(mapped.fields).toEqual({ email: 'Not an e-mail address', picklist: 'Give the value a label' });
    expect(mapped.summary).toBe('secret: Not allowed Close date must follow the start');
  });
  test('snake_case paths find camelCase fields; other errors are one sentence', () => {
    expect(mapFormErrors(problem([{ field: 'first_name', code: 'required', message: 'Is required' }]), { fields: ['firstName'] }).fields).toEqual({ firstName: 'Is required' });
    expect(mapFormErrors(new ApiError({ status: 409, code: 'conflict', detail: 'Changed by someone else' }))).toEqual({ fields: {}, summary: 'Changed by someone else' });
    expect(mapFormErrors(new Error('offline')).summary).toBe('offline');
  });
  test('the summary names fields the form does not show by their labels', () => {
    const mapped = mapFormErrors(problem([{ field: 'amount', code: 'required', message: 'Required at this stage' }, { field: 'lost_reason', code: 'required', message: 'Give a reason' }]), {
      fields: ['lostReason'], labelOf: (path) => (path === 'amount' ? 'Amount' : path),
    });
    expect(mapped).toEqual({ fields: { lostReason: 'Give a reason' }, summary: 'Amount: Required at this stage' });
  });
});
