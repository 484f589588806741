import { invalid as refuse } from './input.ts';

export type PeriodUnit = 'month' | 'quarter';

/** A forecast period: its key ('2027-03', '2027-Q1') and its days [start, end). */
export interface Period {
  key: string;
  unit: PeriodUnit;
  start: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const firstOf = (year: number, month: number) => `${year + Math.floor((month - 1) / 12)}-${pad(((month - 1) % 12 + 12) % 12 + 1)}-01`;

/** Parses a period key; a bad key names the field. */
export function parsePeriod(key: string, field = 'period'): Period {
  const m = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/.exec(key);
  if (!m) refuse(field, 'invalid_period', "A month like '2027-03' or a quarter like '2027-Q1'");
  const year = Number(m![1]);
  if (m![2]) {
    const month = Number(m![2]);
    return { key, unit: 'month', start: firstOf(year, month), end: firstOf(year, month + 1) };
  }
  const q = Number(m![3]);
  return { key, unit: 'quarter', start: firstOf(year, (q - 1) * 3 + 1), end: firstOf(year, q * 3 + 1) };
}

/** `count` consecutive periods starting with `from`. */
export function periodRange(from: string, count: number): Period[] {
  if (!Number.isInteger(count) || count < 1 || count > 24) refuse('count', 'out_of_range', 'Between 1 and 24 periods');
  const first = parsePeriod(from, 'from');
  const out: Period[] = [first];
  while (out.length < count) {
    const [y, rest] = out[out.length - 1]!.key.split('-') as [string, string];
    const year = Number(y);
    if (first.unit === 'month') {
      const month = Number(rest) + 1;
      out.push(parsePeriod(month > 12 ? `${year + 1}-01` : `${year}-${pad(month)}`));
    } else {
      const q = Number(rest.slice(1)) + 1;
      out.push(parsePeriod(q > 4 ? `${year + 1}-Q1` : `${year}-Q${q}`));
    }
  }
  return out;
}

/** The months of a quarter key, or the month itself. */
export function monthsOf(period: Period): string[] {
  if (period.unit === 'month') return [period.key];
  const [y, q] = period.key.split('-Q');
  const first = (Number(q) - 1) * 3 + 1;
  return [0, 1, 2].map((i) => `${y}-${pad(first + i)}`);
}
