import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';

/**
 * Quotes (SAL-12) over real price books: creation with lines priced by resolvePrice, totals by
 * the money kernel, the lifecycle through named commands, acceptance closing the opportunity and
 * emitting quote.accepted, and the refusals (locked quotes, double accept, expired, superseded).
 */
let server: TestServer;
let admin: TestUser;
const ids: Record<string, string> = {};

const unitId = async (code: string) => {
  const res = await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: code }))}`);
  return res.body.data[0].id as string;
};
const newQuote = async (user: TestUser, quote: Record<string, unknown>, lines: Array<Record<string, unknown>>) => {
  const res = await user.request('POST', '/api/v1/quotes', { body: { quote, lines } });
  expect(res.status, res.text).toBe(201);
  return res.body as { quote: any; lines: any[] };
};
const run = (user: TestUser, id: string, command: string, body: unknown = {}) => user.request('POST', `/api/v1/quotes/${id}/${command}`, { body });
const firstError = (res: { body: any }) => [res.body?.errors?.[0]?.field, res.body?.errors?.[0]?.code];

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ids.hour = await unitId('h');
  ids.each = await unitId('each');
  ids.service = (await buildRecord(admin, 'product', { code: 'SVC-INSPECT', name: 'Generator inspection', type: 'service', unit_of_measure: ids.hour, cost: 40 })).id;
  ids.part = (await buildRecord(admin, 'product', { code: 'PRT-FILTER', name: 'Oil filter', type: 'part', unit_of_measure: ids.each, cost: 5 })).id;
  ids.unpriced = (await buildRecord(admin, 'product', { code: 'PRT-NONE', name: 'Unpriced', type: 'part', unit_of_measure: ids.each })).id;
  ids.retired = (await buildRecord(admin, 'product', { code: 'SVC-OLD', name: 'Retired', unit_of_measure: ids.hour })).id;
  ids.standard = (await buildRecord(admin, 'price_book', { name: 'Standard USD', currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: ids.standard, product: ids.service, unit_price: '100.00' });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.standard, product: ids.part, unit_price: '12.50' });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.standard, product: ids.retired, unit_price: '10.00' });
  await admin.request('PATCH', `/api/v1/product/${ids.retired}`, { body: { active: false } });
  await buildRecord(admin, 'tax_rate', { name: 'GST', rate: 5, region: 'CA' });
  await buildRecord(admin, 'tax_rate', { name: 'QST', rate: 9.975, region: 'QC', compound: true });
  ids.quebec = (await buildAccount(admin, { name: 'Hydro Nord', currency: 'USD', billing_state: 'QC', billing_country: 'CA' })).id;
  ids.plain = (await buildAccount(admin, { name: 'Plain Power', currency: 'USD' })).id;
  ids.euro = (await buildAccount(admin, { name: 'Euro Grid', currency: 'EUR' })).id;
});
afterAll(async () => server?.close());

describe('creating a quote', () => {
  it('numbers it from the series, prices the lines from the book with taxes, and totals it with the kernel', async () => {
    const { quote, lines } = await newQuote(admin, { account: ids.quebec, title: 'Inspection' }, [
      { product: ids.service, quantity: 3 },
      { product: ids.part, quantity: 2, discount_percent: 10 },
    ]);
    const year = new Date().getUTCFullYear();
    expect(quote.number).toMatch(new RegExp(`^Q-${year}-\\d{5}$`));
    expect(quote).toMatchObject({ name: quote.number, revision: 1, status: 'draft', currency: 'USD' });
    expect(lines.map((l) => [l.unit_price, l.list_price, l.gross, l.net])).toEqual([[100, 100, 300, 300], [12.5, 12.5, 25, 22.5]]);
    expect(JSON.parse(lines[0].taxes).map((t: { name: string }) => t.name)).toEqual(['GST', 'QST']);
    expect(lines[0].price_explanation).toContain('Standard USD');
    // GST 5% on 300 = 15; QST 9.975% on 315 = 31.42; part: 1.13 + 2.36
    expect([quote.subtotal, quote.tax_total, quote.total]).toEqual([322.5, 49.91, 372.41]);
    expect(lines.reduce((s, l) => s + Math.round(l.total * 100), 0)).toBe(Math.round(quote.total * 100));
  });

  it('spreads a document discount over the lines by largest remainder and recomputes on every save', async () => {
    const { quote } = await newQuote(admin, { account: ids.plain }, [
      { product: ids.part, quantity: 1 }, { product: ids.part, quantity: 1 }, { product: ids.part, quantity: 1 },
    ]);
    const res = await admin.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { discount_amount: 10 } });
    expect(res.status, res.text).toBe(200);
    expect([res.body.subtotal, res.body.discount_total, res.body.total]).toEqual([37.5, 10, 27.5]);
    const read = await admin.request('GET', `/api/v1/quotes/${quote.id}`);
    expect(read.body.lines.map((l: { document_discount: number }) => l.document_discount)).toEqual([3.34, 3.33, 3.33]);
    // Totals are never taken from input.
    expect((await admin.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { total: 1 } })).status).toBe(400);
  });

  it('copies an opportunity’s products into the quote', async () => {
    const opp = await buildOpportunity(admin, { account: ids.plain });
    expect((await admin.request('POST', '/api/v1/opportunity_line', { body: { opportunity: opp.id, product: ids.service, quantity: 2 } })).status).toBe(201);
    const { quote, lines } = await newQuote(admin, { opportunity: opp.id }, []);
    expect(quote.account).toBe(ids.plain);
    expect(lines.map((l) => [l.product, l.quantity, l.unit_price])).toEqual([[ids.service, 2, 100]]);
  });
});

describe('terms and opportunities', () => {
  it('copies the terms template’s text unless the quote has its own, and keeps the opportunity’s account', async () => {
    const terms = await buildRecord(admin, 'quote_terms', { name: 'Net 30', body: 'Payment within 30 days of the invoice.' });
    const { quote } = await newQuote(admin, { account: ids.plain, terms: terms.id }, []);
    expect(quote.terms_text).toBe('Payment within 30 days of the invoice.');
    const own = await newQuote(admin, { account: ids.plain, terms: terms.id, terms_text: 'Cash on delivery.' }, []);
    expect(own.quote.terms_text).toBe('Cash on delivery.');
    const opp = await buildOpportunity(admin, { account: ids.plain });
    const other = await admin.request('POST', '/api/v1/quotes', { body: { quote: { opportunity: opp.id, account: ids.quebec } } });
    expect([other.status, other.body.errors[0].field, other.body.errors[0].code]).toEqual([422, 'quote.account', 'not_the_opportunity_account']);
  });
});

describe('refusals of bad input', () => {
  it('names the field for quantities ≤ 0, too many decimals, unknown currency or unit, inactive or unpriced products', async () => {
    const bad = async (quote: Record<string, unknown>, line: Record<string, unknown>) => {
      const res = await admin.request('POST', '/api/v1/quotes', { body: { quote: { account: ids.plain, ...quote }, lines: [{ product: ids.part, quantity: 1, ...line }] } });
      return [res.status, ...firstError(res)];
    };
    expect(await bad({}, { quantity: 0 })).toEqual([422, 'lines[0].quantity', 'out_of_range']);
    expect(await bad({}, { quantity: -2 })).toEqual([422, 'lines[0].quantity', 'out_of_range']);
    expect(await bad({}, { unit_price: '1.234' })).toEqual([422, 'lines[0].unit_price', 'precision']);
    expect(await bad({ currency: 'XXY' }, {})).toEqual([400, 'quote.currency', 'invalid_choice']);
    expect(await bad({}, { unit_of_measure: '01890000-0000-7000-8000-000000000000' })).toEqual([400, 'lines[0].unit_of_measure', 'invalid_reference']);
    const retiredUnit = await buildRecord(admin, 'unit_of_measure', { code: 'crate', name: 'Crate', active: false });
    expect(await bad({}, { unit_of_measure: retiredUnit.id })).toEqual([422, 'lines[0].unit_of_measure', 'unknown_unit']);
    expect(await bad({}, { product: ids.retired })).toEqual([422, 'lines[0].product', 'inactive']);
    expect(await bad({}, { product: ids.unpriced })).toEqual([422, 'lines[0].product', 'not_in_price_book']);
    expect(await bad({}, { discount_amount: '12.51' })).toEqual([422, 'lines[0].discount_amount', 'out_of_range']);
    expect(await bad({ discount_amount: '12.51' }, {})).toEqual([422, 'quote.discount_amount', 'out_of_range']);
    expect(await bad({ discount_percent: 10, discount_amount: 1 }, {})).toEqual([422, 'quote.discount_amount', 'one_discount']);
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM obj_quote`.execute(server.platform.db);
    expect((await bad({}, { quantity: 0 }))[0]).toBe(422);
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM obj_quote`.execute(server.platform.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('refuses a missing exchange rate with 422 naming the pair and the date', async () => {
    const res = await admin.request('POST', '/api/v1/quotes', { body: { quote: { account: ids.euro, price_date: '2026-03-01' }, lines: [{ product: ids.part, quantity: 1 }] } });
    expect(res.status, res.text).toBe(422);
    expect(res.body).toMatchObject({ pair: 'USD/EUR', date: '2026-03-01' });
  });
});

describe('lifecycle', () => {
  it('send → viewed → accepted closes the opportunity as won and emits quote.accepted once', async () => {
    const opp = await buildOpportunity(admin, { account: ids.plain });
    await admin.request('POST', '/api/v1/opportunity_line', { body: { opportunity: opp.id, product: ids.service, quantity: 2 } });
    const { quote } = await newQuote(admin, { opportunity: opp.id }, []);
    expect((await run(admin, quote.id, 'send')).body.status).toBe('sent');
    expect((await run(admin, quote.id, 'mark-viewed')).body.status).toBe('viewed');
    const viewedAgain = await run(admin, quote.id, 'mark-viewed');
    expect([viewedAgain.status, viewedAgain.body.status]).toEqual([200, 'viewed']);
    const edit = await admin.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { title: 'Changed' } });
    expect([edit.status, ...firstError(edit)]).toEqual([409, 'status', 'quote_locked']);
    const accepted = await run(admin, quote.id, 'accept-internal', { signerName: 'Dana Buyer' });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body.quote).toMatchObject({ status: 'accepted', accepted_by_name: 'Dana Buyer', accepted_total: 200 });
    expect(accepted.body.opportunity).toMatchObject({ outcome: 'won', wonAmount: 200 });
    const again = await run(admin, quote.id, 'accept-internal', { signerName: 'Dana Buyer' });
    expect([again.status, ...firstError(again)]).toEqual([409, 'status', 'quote_accepted']);
    expect((await admin.request('GET', `/api/v1/opportunity/${opp.id}`)).body).toMatchObject({ stage: 'closed_won', won_amount: 200 });
    const afterAccept = await admin.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { title: 'Too late' } });
    expect([afterAccept.status, ...firstError(afterAccept)]).toEqual([409, 'status', 'quote_locked']);
    expect([(await run(admin, quote.id, 'decline')).status, (await run(admin, quote.id, 'revise')).status]).toEqual([409, 409]);
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event WHERE type = 'quote.accepted' AND record_id = ${quote.id}`.execute(server.platform.db);
    expect(events.rows[0]!.n).toBe(1);
  });

  it('declines, and refuses answering a declined quote', async () => {
    const { quote } = await newQuote(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    await run(admin, quote.id, 'send');
    expect((await run(admin, quote.id, 'decline', { reason: 'Too expensive' })).body).toMatchObject({ status: 'declined', decline_reason: 'Too expensive' });
    const res = await run(admin, quote.id, 'accept-internal', { signerName: 'X' });
    expect([res.status, ...firstError(res)]).toEqual([409, 'status', 'quote_declined']);
  });
});
