import { AppError } from '../errors.ts';

/** FieldError.field of every formula error: the expression as the admin sent it. */
export const EXPRESSION_FIELD = 'formula.expression';

/**
 * A formula that cannot be parsed or type-checked: 400 validation_failed naming
 * `formula.expression`, the 1-based character where it went wrong (in the message and as
 * `position` in the problem document), and what was expected there.
 */
export function formulaError(position: number, message: string, code = 'invalid_formula'): never {
  throw new AppError('validation_failed', `The formula is not valid: at character ${position}: ${message}`, {
    errors: [{ field: EXPRESSION_FIELD, code, message: `at character ${position}: ${message}` }],
    extra: { position },
  });
}
