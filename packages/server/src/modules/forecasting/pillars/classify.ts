import { Decimal } from '../../billing/index.ts';

export const PILLARS = ['new_sales', 'account_management', 'upselling'] as const;
export type Pillar = (typeof PILLARS)[number];

/**
 * What an account had bought before the forecast year: the rule's memory. `accounts` had revenue
 * (a won deal or a posted invoice) before 1 January; `lines` holds `account|product line` pairs
 * bought before then.
 */
export interface PriorPurchases { accounts: Set<string>; lines: Set<string> }

/**
 * The pillar rule (docs/forecasting.md):
 * - an account without revenue before the year is a new customer: everything it buys that year is
 *   new sales;
 * - a current customer buying a product line it had not bought before the year: upselling (for the
 *   whole year — the line is new to it this year);
 * - anything else a current customer buys: account management (also revenue without a product).
 */
export function classifyRevenue(prior: PriorPurchases, account: string, productLine: string | null): Pillar {
  if (!prior.accounts.has(account)) return 'new_sales';
  if (productLine !== null && !prior.lines.has(`${account}|${productLine}`)) return 'upselling';
  return 'account_management';
}

/**
 * A won deal split over the pillars by its product lines: each line's share of the deal's line total,
 * applied to the amount won (a partially won deal shrinks every line alike); the rounding remainder and
 * a deal without lines go to the account's pillar for revenue without a product.
 */
export function splitDeal(prior: PriorPurchases, account: string, won: Decimal, lines: Array<{ productLine: string; total: Decimal }>): Map<Pillar, Decimal> {
  const out = new Map<Pillar, Decimal>();
  const add = (p: Pillar, d: Decimal) => out.set(p, (out.get(p) ?? new Decimal(0)).plus(d));
  const lineTotal = lines.reduce((t, l) => t.plus(l.total), new Decimal(0));
  let left = won;
  if (!lineTotal.isZero()) {
    for (const line of lines) {
      const share = won.times(line.total).div(lineTotal).toDecimalPlaces(2);
      add(classifyRevenue(prior, account, line.productLine), share);
      left = left.minus(share);
    }
  }
  if (!left.isZero() || out.size === 0) add(classifyRevenue(prior, account, null), left);
  return out;
}
