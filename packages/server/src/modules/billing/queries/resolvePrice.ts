import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { Decimal, InputCheck, formatMoney, roundMoney, type DecimalInput } from '../money/index.ts';
import { billingSettings } from '../settings.ts';
import { asSystem, db, isBlank, isRealDate, readRecord, refuse, tableOf, today } from '../context.ts';
import { convertAmount, type AppliedRate } from '../exchange/convert.ts';
import { determineTaxes, type TaxDetermination } from './taxes.ts';
import { memoized, withPriceMemo, type PriceMemo } from './priceMemo.ts';
import { inTransaction } from '../../../platform/records/context.ts';
import { listRecords, MAX_PAGE_SIZE } from '../../../platform/records/read.ts';

export interface PriceQuestion {
  ctx: RecordContext;
  account: string;
  product: string;
  spec?: string;
  /** A unit's id or code; the product's unit when absent. */
  uom?: string;
  quantity?: DecimalInput;
  /** YYYY-MM-DD; today in the caller's time zone when absent. */
  date?: string;
  /** ISO 4217; the account's currency (else the book's) when absent. */
  currency?: string;
}

export interface PriceAnswer {
  unitPrice: string;
  currency: string;
  quantity: string;
  date: string;
  /** The price includes the taxes below (the book's prices are tax-inclusive). */
  taxInclusive: boolean;
  product: { id: string; code: string; name: string };
  spec: { id: string; name: string } | null;
  uom: { id: string; code: string; name: string };
  explanation: {
    priceBook: { id: string; name: string; currency: string; source: 'account' | 'standard' };
    entry: { id: string; unitPrice: string; currency: string; minQuantity: string; validFrom: string | null; validTo: string | null; forSpec: boolean };
    /** The quantity break that applied (the entry's minimum quantity), when above 0. */
    quantityBreak: string | null;
    adjuster: { percent: string; before: string; after: string } | null;
    conversion: (AppliedRate & { before: string; after: string }) | null;
    /** The same, as sentences the web app shows beside the price. */
    steps: string[];
  };
  taxes: TaxDetermination;
}

const ACCOUNT_FIELDS = ['name', 'price_book', 'price_adjuster', 'currency', 'tax_exempt', 'tax_exemption_certificate', 'billing_state', 'billing_country'];
// The cost too: a document line keeps its unit cost beside its price (quotes/pricing.ts unitCost).
const PRODUCT_FIELDS = ['code', 'name', 'active', 'unit_of_measure', 'tax_category', 'cost'];

/** Reads a record the caller must be able to see; otherwise 404 naming the query field (nothing about the record is revealed). */
function visibleRecord(ctx: RecordContext, object: string, id: string, field: string, fields: string[]): Promise<ApiRecord> {
  return memoized(ctx, `record:${object}:${id}`, () => readVisible(ctx, object, id, field, fields));
}

async function readVisible(ctx: RecordContext, object: string, id: string, field: string, fields: string[]): Promise<ApiRecord> {
  const notFound = (error: unknown) => {
    if (error instanceof AppError && error.code === 'not_found') {
      return new AppError('not_found', `${field} ${id.slice(0, 40)} was not found`, { errors: [{ field, code: 'not_found', message: 'No such record, or you cannot see it' }] });
    }
    return error;
  };
  // An unrestricted caller (the system: a shop's intake, the invoicing run) sees what the system
  // read sees: that read alone decides, the visibility read would be the same query.
  if (!unrestricted(ctx)) await readRecord(ctx, object, id, ['id']).catch((error: unknown) => Promise.reject(notFound(error)));
  // Pricing needs the commercial fields even when the caller's profile hides them on the form.
  return readRecord(asSystem(ctx), object, id, fields).catch((error: unknown) => Promise.reject(notFound(error)));
}

/** The caller already acts as asSystem would: its reads see every live record with every field. */
function unrestricted(ctx: RecordContext): boolean {
  return ctx.actor.isAdmin === true && ctx.actor.access === undefined && ctx.actor.scopes === undefined;
}

/**
 * What an account pays for a product (spec, unit) at a quantity on a date, in a currency — one
 * function for the price API, quote lines and opportunity products, with the explanation shown
 * beside the price. The caller must be able to see the account and the product; price books,
 * entries, units and rates are reference data read as the system once they may.
 *
 * 1. The book: the account's price book, else the standard book (of the currency asked for, else
 *    of the corporate currency, else any standard book).
 * 2. The entry: active entries of the book for the product and unit, valid on the date, whose
 *    quantity break is at most the quantity; a spec's own entry beats the product's general one,
 *    an entry in the currency asked for beats one in the book's currency, then the highest break.
 * 3. The account's price adjuster (%) on top, rounded to the entry currency's minor unit.
 * 4. Conversion to the currency asked for at the date's rate (exchange/convert.ts), rounded.
 */
/** What a price question resolves to before its entry is chosen: checked input, records, unit, spec, book, currency. */
async function frameQuestion(question: PriceQuestion) {
  const { ctx } = question;
  const check = new InputCheck();
  const quantity = check.decimal('quantity', question.quantity ?? '1', { min: 0, minExclusive: true, max: 1_000_000_000, places: 6 });
  const asked = question.currency === undefined ? undefined : check.currency('currency', question.currency);
  if (question.date !== undefined && !isRealDate(question.date)) check.fail('date', 'invalid_date', 'Must be a date as YYYY-MM-DD');
  check.throwIfAny();
  const date = question.date ?? today(ctx);
  const { corporateCurrency } = billingSettings.of(ctx.platform);

  const account = await visibleRecord(ctx, 'account', question.account, 'account', ACCOUNT_FIELDS);
  const product = await visibleRecord(ctx, 'product', question.product, 'product', PRODUCT_FIELDS);
  if (product.active !== true) refuse('product', 'inactive', `${String(product.name)} is inactive and cannot be priced`);
  const unitKey = question.uom ?? String(product.unit_of_measure);
  const uom = await memoized(ctx, `unit:${unitKey}`, () => findUnit(ctx, unitKey));
  const spec = question.spec === undefined ? null : await findSpec(ctx, question.spec, product.id);

  const preferred = asked ?? corporateCurrency;
  const book = await memoized(ctx, `book:${account.id}:${preferred}`, () => findBook(ctx, account, preferred));
  const currency = asked ?? (isBlank(account.currency) ? String(book.record.currency) : String(account.currency));
  return { ctx, quantity: quantity!, date, account, product, uom, spec, book, currency };
}

export async function resolvePrice(question: PriceQuestion): Promise<PriceAnswer> {
  const { ctx, quantity, date, account, product, uom, spec, book, currency } = await frameQuestion(question);
  const { roundingMode } = billingSettings.of(ctx.platform);
  const sys = asSystem(ctx);
  const entry = await findEntry({ ctx, book: book.record, product, spec, uom, quantity, date, currency });

  const steps: string[] = [];
  const entryCurrency = entry.currency;
  const listPrice = new Decimal(entry.unit_price);
  steps.push(
    `${formatMoney(listPrice, entryCurrency)} ${entryCurrency} in ${String(book.record.name)}${book.source === 'standard' ? ' (standard book)' : ''}` +
      (new Decimal(entry.min_quantity).isZero() ? '' : `, from ${entry.min_quantity} units`),
  );
  let price = listPrice;
  let adjuster: PriceAnswer['explanation']['adjuster'] = null;
  const percent = isBlank(account.price_adjuster) ? new Decimal(0) : new Decimal(String(account.price_adjuster));
  if (!percent.isZero()) {
    const after = roundMoney(price.times(new Decimal(100).plus(percent)).dividedBy(100), entryCurrency, roundingMode);
    adjuster = { percent: percent.toString(), before: formatMoney(price, entryCurrency), after: formatMoney(after, entryCurrency) };
    steps.push(`${percent.isPositive() ? '+' : ''}${percent.toString()}% adjuster of ${String(account.name)}: ${adjuster.after} ${entryCurrency}`);
    price = after;
  }
  let conversion: PriceAnswer['explanation']['conversion'] = null;
  if (entryCurrency !== currency) {
    const converted = await convertAmount({ ctx: sys, amount: price, from: entryCurrency, to: currency, date, field: 'currency' });
    conversion = { ...converted.rate!, before: formatMoney(price, entryCurrency), after: formatMoney(new Decimal(converted.amount), currency) };
    steps.push(`converted at ${conversion.rate} ${entryCurrency}→${currency}${conversion.inverted ? ` (inverse of the ${currency}→${entryCurrency} rate)` : ''} of ${conversion.rateDate}: ${conversion.after} ${currency}`);
    price = new Decimal(converted.amount);
  }

  return {
    unitPrice: formatMoney(price, currency),
    currency,
    quantity: quantity.toString(),
    date,
    taxInclusive: book.record.tax_inclusive === true,
    product: { id: product.id, code: String(product.code), name: String(product.name) },
    spec: spec && { id: spec.id, name: String(spec.name) },
    uom: { id: uom.id, code: String(uom.code), name: String(uom.name) },
    explanation: {
      priceBook: { id: book.record.id, name: String(book.record.name), currency: String(book.record.currency), source: book.source },
      entry: {
        id: entry.id, unitPrice: formatMoney(listPrice, entryCurrency), currency: entryCurrency, minQuantity: entry.min_quantity,
        validFrom: entry.valid_from, validTo: entry.valid_to, forSpec: entry.product_spec_id !== null,
      },
      quantityBreak: new Decimal(entry.min_quantity).isZero() ? null : entry.min_quantity,
      adjuster,
      conversion,
      steps,
    },
    taxes: await memoized(ctx, `taxes:${account.id}:${String(product.tax_category ?? '')}`, () => determineTaxes({ ctx, account, product })),
  };
}

/**
 * Prices many lines for one account at once (a document's lines): the same answers as
 * resolvePrice line by line, with the account, book, units and taxes read once and the products
 * checked and read in two queries (docs/performance.md "Quotes").
 */
export async function resolvePrices(args: { ctx: RecordContext; questions: Array<Omit<PriceQuestion, 'ctx'>> }): Promise<PriceAnswer[]> {
  return inTransaction(args.ctx, (ctx) => withPriceMemo(ctx, async (memo) => {
    await primePrices(ctx, memo, args.questions);
    const answers: PriceAnswer[] = [];
    for (const q of args.questions) answers.push(await resolvePrice({ ...q, ctx }));
    return answers;
  }));
}

/**
 * Loads the records of a batch's questions (their products, their accounts) in two queries per
 * object: which of them the caller may see (the record service applies access), then the
 * fields pricing reads as the system (one query for an unrestricted caller, who sees them all).
 * Records the caller cannot see are left out, so their lines are refused by resolvePrice as before.
 */
async function primeRecords(ctx: RecordContext, memo: PriceMemo, objectName: 'product' | 'account', ids: string[], fields: string[]): Promise<void> {
  const object = ctx.platform.registry.requireObject(objectName);
  const unique = [...new Set(ids.filter((id) => UUID_RE.test(id) && !memo.known(`record:${objectName}:${id}`)))];
  for (let i = 0; i < unique.length; i += MAX_PAGE_SIZE) {
    const wanted = unique.slice(i, i + MAX_PAGE_SIZE);
    const visible = unrestricted(ctx) ? wanted : (await listRecords({ ctx, object, filter: { field: 'id', op: 'in', value: wanted }, fields: ['id'], limit: wanted.length })).data.map((r) => r.id);
    if (!visible.length) continue;
    const full = await listRecords({ ctx: asSystem(ctx), object, filter: { field: 'id', op: 'in', value: visible }, fields, limit: visible.length });
    for (const r of full.data) memo.set(`record:${objectName}:${r.id}`, r);
  }
}

/** A unit by id or code (case-insensitive); an unknown or inactive one is a 422 naming `uom`. */
async function findUnit(ctx: RecordContext, idOrCode: string): Promise<{ id: string; code: string; name: string }> {
  const byId = UUID_RE.test(idOrCode);
  const r = await sql<{ id: string; code: string; name: string }>`SELECT id, code, name FROM ${tableOf(ctx, 'unit_of_measure')}
    WHERE deleted_at IS NULL AND active AND ${byId ? sql`id = ${idOrCode}::uuid` : sql`code = ${idOrCode.trim().toLowerCase()}`} LIMIT 1`.execute(db(ctx));
  return r.rows[0] ?? refuse('uom', 'unknown_unit', `'${idOrCode.slice(0, 40)}' is not an active unit of measure`);
}

/** A spec of the product; another product's, an inactive or an unknown spec is a 422 naming `spec`. */
async function findSpec(ctx: RecordContext, id: string, productId: string): Promise<{ id: string; name: string }> {
  const r = UUID_RE.test(id)
    ? await sql<{ id: string; name: string }>`SELECT id, name FROM ${tableOf(ctx, 'product_spec')} WHERE deleted_at IS NULL AND active AND id = ${id}::uuid AND product_id = ${productId}`.execute(db(ctx))
    : { rows: [] };
  return r.rows[0] ?? refuse('spec', 'unknown_spec', 'Not an active spec of this product');
}

async function findBook(ctx: RecordContext, account: ApiRecord, preferred: string): Promise<{ record: ApiRecord; source: 'account' | 'standard' }> {
  const sys = asSystem(ctx);
  if (!isBlank(account.price_book)) {
    const record = await readRecord(sys, 'price_book', String(account.price_book), ['name', 'currency', 'tax_inclusive', 'active']);
    if (record.active !== true) refuse('account', 'inactive_price_book', `The account's price book ${String(record.name)} is inactive`);
    return { record, source: 'account' };
  }
  // The standard book is the same for every account without one: read once per currency asked.
  return memoized(ctx, `standard-book:${preferred}`, async () => {
    const { corporateCurrency } = billingSettings.of(ctx.platform);
    const r = await sql<{ id: string }>`SELECT id FROM ${tableOf(ctx, 'price_book')} WHERE deleted_at IS NULL AND active AND is_standard
      ORDER BY (currency = ${preferred}) DESC, (currency = ${corporateCurrency}) DESC, name, id LIMIT 1`.execute(db(ctx));
    const id = r.rows[0]?.id ?? refuse('account', 'no_price_book', 'The account has no price book and there is no active standard price book');
    return { record: await readRecord(sys, 'price_book', id, ['name', 'currency', 'tax_inclusive', 'active']), source: 'standard' as const };
  });
}

interface EntryRow {
  id: string;
  unit_price: string;
  currency: string;
  min_quantity: string;
  valid_from: string | null;
  valid_to: string | null;
  product_spec_id: string | null;
}

/**
 * The entry SELECT for one line, shared by the single question and the batch (resolvePrices),
 * so both choose by the same rules: the line's values are SQL expressions (parameters, or the
 * columns of the batch's unnest).
 */
function entrySelect(args: { t: ReturnType<typeof tableOf>; book: ApiRecord; product: RawBuilder<unknown>; uom: RawBuilder<unknown>; spec: RawBuilder<unknown>; quantity: RawBuilder<unknown>; date: string; currency: string }) {
  const { t, book, product, uom, spec, quantity, date, currency } = args;
  return sql<EntryRow>`SELECT e.id, e.unit_price::text AS unit_price, e.currency, coalesce(e.min_quantity, 0)::text AS min_quantity,
      e.valid_from::text AS valid_from, e.valid_to::text AS valid_to, e.product_spec_id
    FROM ${t} e
    WHERE e.deleted_at IS NULL AND e.active AND e.price_book_id = ${book.id} AND e.product_id = ${product} AND e.unit_of_measure_id = ${uom}
      AND (e.product_spec_id IS NULL OR e.product_spec_id = ${spec})
      AND coalesce(e.valid_from, '-infinity'::date) <= ${date}::date AND coalesce(e.valid_to, 'infinity'::date) >= ${date}::date
      AND coalesce(e.min_quantity, 0) <= ${quantity}
    ORDER BY (e.product_spec_id IS NOT NULL) DESC, (e.currency = ${currency}) DESC, (e.currency = ${book.currency}) DESC,
      coalesce(e.min_quantity, 0) DESC, e.valid_from DESC NULLS LAST, e.id
    LIMIT 1`;
}

const entryKey = (a: { book: string; product: string; spec: string | null; uom: string; quantity: string; date: string; currency: string }) =>
  `entry:${a.book}:${a.product}:${a.spec ?? ''}:${a.uom}:${a.quantity}:${a.date}:${a.currency}`;

async function findEntry(args: { ctx: RecordContext; book: ApiRecord; product: ApiRecord; spec: { id: string } | null; uom: { id: string; code: string }; quantity: Decimal; date: string; currency: string }): Promise<EntryRow> {
  const { ctx, book, product, spec, uom, quantity, date, currency } = args;
  const t = tableOf(ctx, 'price_book_entry');
  const key = entryKey({ book: book.id, product: product.id, spec: spec?.id ?? null, uom: uom.id, quantity: quantity.toString(), date, currency });
  const found = await memoized(ctx, key, async () => (await entrySelect({
    t, book, product: sql`${product.id}::uuid`, uom: sql`${uom.id}::uuid`, spec: sql`${spec?.id ?? null}::uuid`, quantity: sql`${quantity.toString()}::numeric`, date, currency,
  }).execute(db(ctx))).rows[0] ?? null);
  if (found) return found;
  // Only on failure: say whether the product is in the book at all, or just not for this question.
  const any = await sql<{ n: number }>`SELECT 1 AS n FROM ${t} WHERE deleted_at IS NULL AND active AND price_book_id = ${book.id} AND product_id = ${product.id} LIMIT 1`.execute(db(ctx));
  if (!any.rows[0]) refuse('product', 'not_in_price_book', `${String(product.name)} is not in the price book ${String(book.name)}`);
  return refuse('product', 'no_price', `The price book ${String(book.name)} has no price for ${String(product.name)}${spec ? ' (this spec)' : ''} per ${uom.code} for ${quantity.toString()} on ${date}`);
}

/** Reads ahead what pricing these questions needs: the products and the accounts (two queries each) and the entries (one per book). */
export async function primePrices(ctx: RecordContext, memo: PriceMemo, questions: Array<Omit<PriceQuestion, 'ctx'>>): Promise<void> {
  await primeRecords(ctx, memo, 'product', questions.map((q) => q.product), PRODUCT_FIELDS);
  await primeRecords(ctx, memo, 'account', questions.map((q) => q.account), ACCOUNT_FIELDS);
  await primeEntries(ctx, memo, questions);
}

/**
 * Chooses the entries of a batch in one query: each line's question is framed (from the memo),
 * then one LATERAL join runs the single question's entry SELECT for every line. Lines whose
 * framing fails are left to resolvePrice, which refuses them as it would alone.
 */
async function primeEntries(ctx: RecordContext, memo: PriceMemo, questions: Array<Omit<PriceQuestion, 'ctx'>>): Promise<void> {
  const framed: Array<Awaited<ReturnType<typeof frameQuestion>>> = [];
  for (const q of questions) {
    try {
      framed.push(await frameQuestion({ ...q, ctx }));
    } catch {
      // resolvePrice gives this line's refusal.
    }
  }
  const groups = new Map<string, typeof framed>();
  for (const f of framed) {
    const k = `${f.book.record.id}:${f.date}:${f.currency}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const t = tableOf(ctx, 'price_book_entry');
  for (const lines of groups.values()) {
    const { book, date, currency } = lines[0]!;
    // The entry's columns by name, not e.*: a statement without a star is prepared (db/prepared.ts).
    const r = await sql<EntryRow & { n: number }>`SELECT l.n, e.id, e.unit_price, e.currency, e.min_quantity, e.valid_from, e.valid_to, e.product_spec_id FROM
        unnest(${lines.map((f) => f.product.id)}::uuid[], ${lines.map((f) => f.uom.id)}::uuid[], ${lines.map((f) => f.spec?.id ?? null)}::uuid[], ${lines.map((f) => f.quantity.toString())}::numeric[])
          WITH ORDINALITY AS l(product_id, uom_id, spec_id, quantity, n)
        CROSS JOIN LATERAL (${entrySelect({ t, book: book.record, product: sql`l.product_id`, uom: sql`l.uom_id`, spec: sql`l.spec_id`, quantity: sql`l.quantity`, date, currency })}) e`.execute(db(ctx));
    const byLine = new Map(r.rows.map(({ n, ...row }) => [Number(n), row as EntryRow]));
    lines.forEach((f, i) => {
      const key = entryKey({ book: book.record.id, product: f.product.id, spec: f.spec?.id ?? null, uom: f.uom.id, quantity: f.quantity.toString(), date, currency });
      const row = byLine.get(i + 1);
      if (row) memo.set(key, row);
    });
  }
}
