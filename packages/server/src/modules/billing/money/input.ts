import type { FieldError } from '../../../platform/errors.ts';
import { ruleViolation } from '../../../platform/errors.ts';
import { Decimal, significantDigits, toDecimal } from './decimal.ts';
import { isCurrency, minorUnits } from './currencies.ts';

/**
 * Checks of the kernel's input, collecting every problem with its path (`lines[2].unitPrice`) so a
 * client sees all of them at once; `throwIfAny` answers 422 rule_violation naming each field.
 */
export class InputCheck {
  readonly errors: FieldError[] = [];

  fail(field: string, code: string, message: string): undefined {
    if (this.errors.length < 100) this.errors.push({ field, code, message });
    return undefined;
  }

  currency(field: string, value: unknown): string | undefined {
    if (isCurrency(value)) return value;
    return this.fail(field, 'unknown_currency', `'${String(value).slice(0, 12)}' is not an ISO 4217 currency code`);
  }

  /** A decimal within [min, max] (max exclusive when `below`) with at most `places` decimals. */
  decimal(field: string, value: unknown, rule: { min?: Decimal | number; minExclusive?: boolean; max?: Decimal | number; places?: number; placesWhy?: string }): Decimal | undefined {
    const d = toDecimal(value);
    if (!d) return this.fail(field, 'type', 'Must be a decimal number, e.g. "12.50"');
    if (rule.min !== undefined && (rule.minExclusive ? d.lessThanOrEqualTo(rule.min) : d.lessThan(rule.min))) {
      return this.fail(field, 'out_of_range', `Must be ${rule.minExclusive ? 'greater than' : 'at least'} ${String(rule.min)}`);
    }
    if (rule.max !== undefined && d.greaterThan(rule.max)) return this.fail(field, 'out_of_range', `Must be at most ${String(rule.max)}`);
    if (rule.places !== undefined && d.decimalPlaces() > rule.places) {
      return this.fail(field, 'precision', rule.placesWhy ?? `At most ${rule.places} decimal places`);
    }
    return d;
  }

  /** An amount of money: ≥ 0, below 10^13, with at most the currency's minor digits and 15 significant digits. */
  money(field: string, value: unknown, currency: string): Decimal | undefined {
    const places = minorUnits(currency);
    const amount = this.decimal(field, value, { min: 0, max: new Decimal('9999999999999'), places, placesWhy: `${currency} amounts have at most ${places} decimal place${places === 1 ? '' : 's'}` });
    // Stored amounts travel as JSON numbers, exact up to 15 significant digits (decision 0008).
    if (amount && significantDigits(amount) > 15) return this.fail(field, 'precision', 'At most 15 significant digits');
    return amount;
  }

  throwIfAny(): void {
    if (this.errors.length) throw ruleViolation(this.errors);
  }
}
