/**
 * Decimal text for prices, without floats: what a person types read in their locale, a stored
 * number written back exactly, and a percentage change rounded to the currency's minor unit the
 * way the server rounds (half_up: ties away from zero; half_even: banker's). BigInt does the
 * arithmetic, so 19.99 × 1.1 is 21.989 before rounding, never 21.988999….
 */
export type RoundingMode = 'half_up' | 'half_even';

const DECIMAL = /^([-+]?)(\d*)(?:\.(\d*))?$/;

interface Scaled {
  /** The value × 10^scale. */
  units: bigint;
  scale: number;
}

function scaled(text: string): Scaled | null {
  const m = DECIMAL.exec(text);
  if (!m || (!m[2] && !m[3])) return null;
  const fraction = m[3] ?? '';
  const units = BigInt(`${m[2] || '0'}${fraction}`);
  return { units: m[1] === '-' ? -units : units, scale: fraction.length };
}

function written(units: bigint, places: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = places ? `.${digits.slice(digits.length - places)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** n / d rounded to an integer (d > 0). */
function roundDivide(n: bigint, d: bigint, mode: RoundingMode): bigint {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let q = abs / d;
  const twice = (abs % d) * 2n;
  if (twice > d || (twice === d && (mode === 'half_up' || q % 2n === 1n))) q += 1n;
  return negative ? -q : q;
}

/** A decimal string ("12.5", "-0.25") for a finite number, without exponent notation. */
export function decimalText(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([-+]\d+)$/.exec(text);
  if (!m) return text;
  const digits = `${m[2]}${m[3] ?? ''}`;
  const point = m[2]!.length + Number(m[4]);
  if (point <= 0) return `${m[1]}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${m[1]}${digits}${'0'.repeat(point - digits.length)}`;
  return `${m[1]}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** An amount with exactly `places` decimals, for editing ("8400" in USD is "8400.00"). */
export function fixedText(value: number | string, places: number): string {
  const s = scaled(typeof value === 'number' ? decimalText(value) : value);
  if (!s) return String(value);
  let { units, scale } = s;
  if (scale < places) {
    units *= 10n ** BigInt(places - scale);
    scale = places;
  }
  while (scale > places && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return written(units, scale);
}

/** The separators of a locale's numbers: "," and "." in en-US, "." and "," in de-DE. */
function separators(locale: string): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return { group: parts.find((p) => p.type === 'group')?.value ?? ',', decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
}

/**
 * What a person typed as a plain decimal ("1,250.5" → "1250.5"), or null when it is not a number.
 * With both "." and "," the last one is the decimal point; a lone separator is the decimal point,
 * except the locale's own group separator before exactly three digits ("1,250" in en-US, "1.250" in
 * de-DE); a separator repeated groups digits. Spaces and apostrophes group digits too.
 */
export function parseDecimalInput(input: string, locale = 'en-US'): string | null {
  let s = input.trim().replace(/[\s\u00a0\u202f'’]/g, '');
  if (!s) return null;
  const { group } = separators(locale);
  const dots = s.split('.').length - 1;
  const commas = s.split(',').length - 1;
  let point: string | null = null;
  if (dots && commas) point = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
  else if (dots + commas === 1) {
    const sep = dots ? '.' : ',';
    point = sep === group && /^[-+]?\d{1,3}[.,]\d{3}$/.test(s) ? null : sep;
  }
  // Digits grouped by threes ("1,250,000"), by one separator kind.
  const grouped = (t: string) => !/[.,]/.test(t) || /^[-+]?\d{1,3}(?:\.\d{3})+$|^[-+]?\d{1,3}(?:,\d{3})+$/.test(t);
  if (point) {
    const at = s.lastIndexOf(point);
    const left = s.slice(0, at);
    if (!grouped(left)) return null;
    s = `${left.replace(/[.,]/g, '')}.${s.slice(at + 1)}`;
  } else if (grouped(s)) s = s.replace(/[.,]/g, '');
  else return null;
  const m = DECIMAL.exec(s);
  if (!m || (!m[2] && !m[3])) return null;
  const whole = (m[2] || '0').replace(/^0+(?=\d)/, '');
  return `${m[1] === '-' ? '-' : ''}${whole}${m[3] ? `.${m[3]}` : ''}`;
}

/**
 * A price changed by a percentage ("+5", "-12.5"), rounded to `places` decimals: 19.99 USD + 10 %
 * is "21.99" (21.989 rounded). Null when either is not a decimal.
 */
export function adjustByPercent(price: number | string, percent: string, places: number, mode: RoundingMode = 'half_up'): string | null {
  const p = scaled(typeof price === 'number' ? decimalText(price) : price);
  const q = scaled(percent.trim());
  if (!p || !q) return null;
  // price × (100 + percent) / 100, exactly: numerator over 10^(p.scale + q.scale + 2).
  const numerator = p.units * (100n * 10n ** BigInt(q.scale) + q.units) * 10n ** BigInt(places);
  const denominator = 10n ** BigInt(p.scale + q.scale + 2);
  return written(roundDivide(numerator, denominator, mode), places);
}

/** Whether a decimal string is below zero. */
export function isNegative(text: string): boolean {
  return text.startsWith('-') && /[1-9]/.test(text);
}
