import { describe, expect, test } from 'vitest';
import { ApiError } from '../../api/client';
import { refusalOf, tidy } from './entries';

describe('refused price grid saves', () => {
  const labels = { valid_from: 'Valid from', unit_price: 'Unit price' };
  const problem = (status: number, code: string, errors: Array<{ field: string; code: string; message: string }> = [], detail = 'Refused') =>
    new ApiError({ status, code, detail, errors });

  test('a conflict, a refusal of permission and a vanished entry are told apart', () => {
    expect(refusalOf(problem(409, 'version_conflict'), 'unit_price', labels)).toEqual({ kind: 'conflict' });
    expect(refusalOf(problem(403, 'forbidden', [], 'Your profile does not allow you to change price book entries'), 'unit_price', labels))
      .toEqual({ kind: 'denied', message: 'Your profile does not allow you to change price book entries' });
    expect(refusalOf(problem(404, 'not_found'), 'unit_price', labels)).toEqual({ kind: 'gone' });
  });

  test('the edited field’s reason comes first, the others named by their label, without record ids', () => {
    const error = problem(422, 'rule_violation', [
      { field: 'valid_from', code: 'overlapping_entry', message: 'Another active entry (01a2479d-2842-7b1e-9cef-6fb592a8a2a9) prices the same product' },
      { field: 'unit_price', code: 'precision', message: 'USD amounts have at most 2 decimal places' },
    ]);
    expect(refusalOf(error, 'unit_price', labels)).toEqual({ kind: 'invalid', message: 'USD amounts have at most 2 decimal places Valid from: Another active entry prices the same product' });
    expect(tidy('No id here (see above)')).toBe('No id here (see above)');
  });
});
