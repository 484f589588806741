/**
 * The credit limit formula (docs/credit.md): a pure function from an account's payment behaviour
 * and spending over the last 12 months to its limit, its payment behaviour rating and the
 * explanation a rep reads to the customer. No database, no clock: the nightly job and the
 * one-account recompute read the inputs (queries/inputs.ts) and call this.
 */

/** What the formula reads about one account (all amounts in the limit's currency). */
export interface CreditInputs {
  currency: string;
  /** Invoices assessed for behaviour: due in the last 12 months (paid or open), or open and due earlier. */
  invoices: number;
  /** Of those, paid in full by their due date (open invoices past due are late). */
  onTime: number;
  /** Average and maximum days late over the assessed invoices (0 for on-time ones). */
  avgDaysLate: number;
  maxDaysLate: number;
  /** Invoices disputed, invoices dated in the last 12 months. */
  disputes: number;
  /** Payments reversed (bounced checks, charge-backs) in the last 12 months. */
  reversals: number;
  /** Invoiced minus credited in the last 12 months, and over how many months of history (1–12). */
  invoiced: number;
  months: number;
}

export interface CreditPolicy {
  /** The limit of an account without payment history (no invoice due yet). */
  startingLimit: number;
  /** Months of average spending the limit covers for a good payer. */
  monthsOfSpending: number;
  /** Limits are rounded down to a multiple of this. */
  step: number;
}

export const BEHAVIOURS = ['excellent', 'good', 'average', 'poor', 'bad'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/**
 * The rating buckets, best first: the first an account meets is its rating. Each bucket asks for
 * at least an on-time share and at most an average (and for excellent, a maximum) of days late,
 * so more late days never give a better rating.
 */
export const BUCKETS: ReadonlyArray<{ behaviour: Behaviour; factor: number; minOnTime: number; maxAvgLate: number; maxLate: number }> = [
  { behaviour: 'excellent', factor: 1.25, minOnTime: 0.95, maxAvgLate: 2, maxLate: 10 },
  { behaviour: 'good', factor: 1, minOnTime: 0.9, maxAvgLate: 5, maxLate: Infinity },
  { behaviour: 'average', factor: 0.6, minOnTime: 0.7, maxAvgLate: 15, maxLate: Infinity },
  { behaviour: 'poor', factor: 0.25, minOnTime: 0.4, maxAvgLate: 45, maxLate: Infinity },
  { behaviour: 'bad', factor: 0, minOnTime: 0, maxAvgLate: Infinity, maxLate: Infinity },
];
/** Without payment history: the average rating's factor, and never below the starting limit. */
export const NO_HISTORY_FACTOR = 0.6;
export const REVERSAL_CUT = 0.2;
export const DISPUTE_CUT = 0.1;

export interface CreditResult {
  limit: number;
  currency: string;
  /** null: no payment history yet (not rated). */
  behaviour: Behaviour | null;
  /** The steps, each a figure and what it is. */
  steps: Array<{ label: string; value: number }>;
  /** The formula in words with this account's figures: what a rep reads to the customer. */
  explanation: string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const money = (n: number, currency: string) => `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
const pct = (n: number) => `${Math.round(n * 100)}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function rateBehaviour(inputs: Pick<CreditInputs, 'invoices' | 'onTime' | 'avgDaysLate' | 'maxDaysLate'>): Behaviour | null {
  if (inputs.invoices <= 0) return null;
  const ratio = inputs.onTime / inputs.invoices;
  return BUCKETS.find((b) => ratio >= b.minOnTime && inputs.avgDaysLate <= b.maxAvgLate && inputs.maxDaysLate <= b.maxLate)!.behaviour;
}

export function computeCreditLimit(inputs: CreditInputs, policy: CreditPolicy): CreditResult {
  const c = inputs.currency;
  const months = Math.min(12, Math.max(1, Math.round(inputs.months) || 1));
  const monthly = round2(Math.max(0, inputs.invoiced) / months);
  const base = round2(monthly * policy.monthsOfSpending);
  const behaviour = rateBehaviour(inputs);
  const bucket = BUCKETS.find((b) => b.behaviour === behaviour);
  const factor = bucket ? bucket.factor : NO_HISTORY_FACTOR;
  const cut = Math.max(0, 1 - REVERSAL_CUT * inputs.reversals - DISPUTE_CUT * inputs.disputes);
  let raw = round2(base * factor);
  if (!behaviour) raw = Math.max(policy.startingLimit, raw);
  const reduced = round2(raw * cut);
  const step = policy.step > 0 ? policy.step : 1;
  const limit = Math.max(0, Math.floor(reduced / step + 1e-9) * step);

  const lines: string[] = [];
  lines.push(`Average monthly invoiced: ${money(monthly, c)} (${money(Math.max(0, inputs.invoiced), c)} invoiced less credited over ${plural(months, 'month')}) × ${policy.monthsOfSpending} months of spending = ${money(base, c)}.`);
  if (behaviour) {
    lines.push(`Payment behaviour ${behaviour}: ${pct(inputs.onTime / inputs.invoices)} of ${plural(inputs.invoices, 'invoice')} paid on time, ${round2(inputs.avgDaysLate)} days late on average, ${inputs.maxDaysLate} at most → × ${factor} = ${money(raw, c)}.`);
  } else {
    lines.push(`No payment history yet (no invoice due): × ${NO_HISTORY_FACTOR}, and at least the starting limit of ${money(policy.startingLimit, c)} → ${money(raw, c)}.`);
  }
  lines.push(`${plural(inputs.reversals, 'reversed payment')} (−${REVERSAL_CUT * 100}% each) and ${plural(inputs.disputes, 'disputed invoice')} (−${DISPUTE_CUT * 100}% each) in 12 months → × ${round2(cut)} = ${money(reduced, c)}.`);
  lines.push(`Rounded down to a multiple of ${step}: credit limit ${money(limit, c)}.`);
  return {
    limit, currency: c, behaviour,
    steps: [
      { label: 'Average monthly invoiced', value: monthly },
      { label: `× ${policy.monthsOfSpending} months of spending`, value: base },
      { label: behaviour ? `× ${factor} (${behaviour} payer)` : `× ${NO_HISTORY_FACTOR}, at least the starting limit (no history)`, value: raw },
      { label: `× ${round2(cut)} (reversals and disputes)`, value: reduced },
      { label: `Rounded down to ${step}`, value: limit },
    ],
    explanation: lines.join('\n'),
  };
}

/** One invoice as the behaviour sees it: how many days late it was paid (or is, when open), disputed or not. */
export interface AssessedInvoice {
  daysLate: number;
}

/** The behaviour figures of a list of invoices (what the SQL aggregates compute; used by the property tests). */
export function summariseInvoices(invoices: AssessedInvoice[]): Pick<CreditInputs, 'invoices' | 'onTime' | 'avgDaysLate' | 'maxDaysLate'> {
  const late = invoices.map((i) => Math.max(0, Math.floor(i.daysLate)));
  return {
    invoices: late.length,
    onTime: late.filter((d) => d === 0).length,
    avgDaysLate: late.length ? round2(late.reduce((s, d) => s + d, 0) / late.length) : 0,
    maxDaysLate: late.length ? Math.max(...late) : 0,
  };
}
