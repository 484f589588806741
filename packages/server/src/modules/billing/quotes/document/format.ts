import { Decimal, minorUnits, toDecimal } from '../../money/index.ts';

/**
 * How a document writes numbers, amounts and dates in the customer's locale. Amounts are given
 * to Intl as decimal strings fixed to the currency's minor digits (Intl formats strings exactly),
 * so no float ever touches a printed amount.
 */
export interface DocumentFormat {
  locale: string;
  currency: string;
  /** 1234.5 → "$1,234.50" (en-US), "1.234,50 €" (de-DE, EUR). */
  money(value: unknown): string;
  /** A quantity as entered, with its decimals (2.5 → "2,5" in de-DE). */
  quantity(value: unknown): string;
  /** 10 → "10%" (en-US), "10 %" (de-DE); up to 4 decimals (9.975 %). */
  percent(value: unknown): string;
  /** YYYY-MM-DD → "December 31, 2026" / "31. Dezember 2026". */
  date(value: unknown): string;
  /** A timestamp in the given zone, long date. */
  dateTime(value: unknown, timeZone: string): string;
}

const blank = (v: unknown) => v === null || v === undefined || v === '';

export function documentFormat(locale: string, currency: string): DocumentFormat {
  const digits = minorUnits(currency);
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  const quantity = new Intl.NumberFormat(locale, { maximumFractionDigits: 6 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 4 });
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  const decimal = (v: unknown) => toDecimal(v) ?? new Decimal(0);
  // Intl.NumberFormat accepts exact decimal strings at run time (ECMA-402 "Intl.NumberFormat v3"); its typings say number.
  const exact = (f: Intl.NumberFormat, text: string) => f.format(text as unknown as number);
  return {
    locale,
    currency,
    money: (v) => exact(money, decimal(v).toFixed(digits)),
    quantity: (v) => exact(quantity, decimal(v).toString()),
    percent: (v) => exact(percent, decimal(v).dividedBy(100).toString()),
    date: (v) => (blank(v) ? '' : day.format(new Date(`${String(v).slice(0, 10)}T00:00:00Z`))),
    dateTime: (v, timeZone) => (blank(v) ? '' : new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(new Date(String(v)))),
  };
}
