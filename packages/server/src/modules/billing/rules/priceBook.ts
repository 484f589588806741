import { sql } from 'kysely';
import type { AfterSaveArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { InputCheck, toDecimal } from '../money/index.ts';
import { asSystem, db, isBlank, readRecord, refuse, tableOf } from '../context.ts';

/**
 * A price book entry: its currency defaults to the book's and its unit to the product's; the
 * price is money in that currency; a spec must be of the entry's product; its name is derived;
 * and no two active entries may answer the same question (same book, product, spec, unit,
 * currency and quantity break on an overlapping date) — price resolution must never guess.
 */
export async function preparePriceBookEntry(args: BeforeSaveArgs): Promise<void> {
  const { ctx, data, merged, previous } = args;
  const sys = asSystem(ctx);
  const book = await readRecord(sys, 'price_book', String(merged.price_book), ['currency']);
  const product = await readRecord(sys, 'product', String(merged.product), ['code', 'unit_of_measure']);
  if (isBlank(merged.currency)) data.currency = merged.currency = book.currency;
  if (isBlank(merged.unit_of_measure)) data.unit_of_measure = merged.unit_of_measure = product.unit_of_measure;
  if (isBlank(merged.min_quantity)) data.min_quantity = merged.min_quantity = 0;

  const check = new InputCheck();
  check.money('unit_price', merged.unit_price, String(merged.currency));
  check.decimal('min_quantity', merged.min_quantity, { min: 0, places: 6 });
  if (!isBlank(merged.valid_from) && !isBlank(merged.valid_to) && String(merged.valid_to) < String(merged.valid_from)) {
    check.fail('valid_to', 'before_start', 'Must be on or after valid from');
  }
  let specName = '';
  if (!isBlank(merged.product_spec)) {
    const spec = await readRecord(sys, 'product_spec', String(merged.product_spec), ['product', 'name']);
    if (spec.product !== merged.product) check.fail('product_spec', 'wrong_product', 'This spec belongs to another product');
    specName = String(spec.name);
  }
  check.throwIfAny();

  const uom = await readRecord(sys, 'unit_of_measure', String(merged.unit_of_measure), ['code']);
  const minQuantity = toDecimal(merged.min_quantity)!;
  data.name = `${String(product.code)}${specName ? ` / ${specName}` : ''} per ${String(uom.code)}${minQuantity.isZero() ? '' : ` from ${minQuantity.toString()}`} (${String(merged.currency)})`;

  if (merged.active === false) return;
  // Two writers of the same book and product take turns, so the overlap check below sees the other's entry.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`billing.entry:${String(merged.price_book)}:${String(merged.product)}`}))`.execute(db(ctx));
  const t = tableOf(ctx, 'price_book_entry');
  const from = isBlank(merged.valid_from) ? null : String(merged.valid_from);
  const to = isBlank(merged.valid_to) ? null : String(merged.valid_to);
  const clash = await sql<{ id: string }>`SELECT id FROM ${t}
    WHERE deleted_at IS NULL AND active AND price_book_id = ${merged.price_book} AND product_id = ${merged.product}
      AND product_spec_id IS NOT DISTINCT FROM ${isBlank(merged.product_spec) ? null : merged.product_spec}::uuid
      AND unit_of_measure_id = ${merged.unit_of_measure} AND currency = ${merged.currency} AND coalesce(min_quantity, 0) = ${minQuantity.toString()}::numeric
      AND coalesce(valid_from, '-infinity'::date) <= coalesce(${to}::date, 'infinity'::date)
      AND coalesce(valid_to, 'infinity'::date) >= coalesce(${from}::date, '-infinity'::date)
      ${previous ? sql`AND id <> ${previous.id}` : sql``}
    LIMIT 1`.execute(db(ctx));
  if (clash.rows[0]) {
    refuse('valid_from', 'overlapping_entry', `Another active entry (${clash.rows[0].id}) prices the same product, spec, unit, currency and quantity on an overlapping date`);
  }
}

/** The standard book prices every account without a book of its own, so it must stay active. */
export function checkPriceBook({ merged }: BeforeSaveArgs): void {
  if (merged.is_standard === true && merged.active === false) refuse('active', 'standard_inactive', 'The standard price book must be active');
}

/** One standard book per currency: marking a book standard unmarks the previous one. */
export async function keepOneStandardBook({ ctx, record, changes }: AfterSaveArgs): Promise<void> {
  if (record.is_standard !== true || (!changes.is_standard && !changes.currency)) return;
  const t = tableOf(ctx, 'price_book');
  const others = await sql<{ id: string }>`SELECT id FROM ${t} WHERE deleted_at IS NULL AND is_standard AND currency = ${record.currency} AND id <> ${record.id}`.execute(db(ctx));
  const object = ctx.platform.registry.requireObject('price_book');
  for (const other of others.rows) await updateRecord({ ctx: asSystem(ctx), object, id: other.id, input: { is_standard: false } });
}
