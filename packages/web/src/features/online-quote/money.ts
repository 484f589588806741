/** Money and dates for the customer: in their browser's locale, the quote's currency and its minor unit. */
export function moneyFormatter(currency: string, fractionDigits: number, locale = navigator.language): (n: number) => string {
  const f = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
  return (n) => f.format(n);
}

/** A date-only value (YYYY-MM-DD) as a long date, without shifting it through a time zone. */
export function formatDay(day: string, locale = navigator.language): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

export function formatInstant(at: string, locale = navigator.language): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(at));
}
