import { sql } from 'kysely';
import type { RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { asSystem, db, isBlank, readRecord, tableOf } from '../context.ts';
import { memoized } from './priceMemo.ts';

export interface ApplicableTax {
  id: string;
  name: string;
  rate: string;
  compound: boolean;
}

export interface TaxDetermination {
  /** Why no tax applies, when none does. */
  exempt: null | { reason: 'account_exempt' | 'category_exempt'; certificate: string | null };
  rates: ApplicableTax[];
}

/**
 * The taxes a sale of a product to an account carries (the kernel's TaxInput list):
 * none for a tax-exempt account or a product of an exempt category; otherwise the active rates
 * of the account's region (billing state or country; a rate without a region applies everywhere).
 * Rates naming the product's tax category replace the general ones (a reduced rate instead of
 * the standard one); without such rates, the general rates (no category) apply.
 * `account` and `product` are records already read with the fields named here.
 */
export async function determineTaxes(args: { ctx: RecordContext; account: ApiRecord; product: ApiRecord }): Promise<TaxDetermination> {
  const { ctx, account, product } = args;
  if (account.tax_exempt === true) return { exempt: { reason: 'account_exempt', certificate: (account.tax_exemption_certificate as string | null) ?? null }, rates: [] };
  const category = isBlank(product.tax_category) ? null : String(product.tax_category);
  if (category) {
    const c = await memoized(ctx, `record:tax_category:${category}`, () => readRecord(asSystem(ctx), 'tax_category', category, ['exempt']));
    if (c.exempt === true) return { exempt: { reason: 'category_exempt', certificate: null }, rates: [] };
  }
  const regions = [account.billing_state, account.billing_country].filter((r): r is string => typeof r === 'string' && r.trim() !== '').map((r) => r.trim().toLowerCase());
  // The same region and category give the same rates: read once per pricing batch (priceMemo.ts).
  const r = await memoized(ctx, `taxes:${JSON.stringify(regions)}:${category ?? ''}`, () => sql<{ id: string; name: string; rate: string; compound: boolean; tax_category_id: string | null }>`
    SELECT id, name, rate::text AS rate, compound, tax_category_id FROM ${tableOf(ctx, 'tax_rate')}
    WHERE deleted_at IS NULL AND active
      AND (coalesce(region, '') = '' OR lower(region) = ANY(${regions}::text[]))
      AND (tax_category_id IS NULL OR tax_category_id = ${category}::uuid)
    ORDER BY compound, name, id`.execute(db(ctx)));
  const specific = r.rows.filter((t) => t.tax_category_id !== null);
  const chosen = specific.length ? specific : r.rows;
  return { exempt: null, rates: chosen.map((t) => ({ id: t.id, name: t.name, rate: t.rate, compound: t.compound === true })) };
}
