import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { createSiblingRoles, ok } from '../access/fixture.ts';
import { expireQuotes } from '../../src/modules/billing/index.ts';

/**
 * The quote's life beyond the happy path: discount approval by the owner's manager, versions
 * (revise → superseded), expiry, optional lines and partial wins, edits of a sent quote refused,
 * concurrency (number series without gaps, double accept, stale versions) and forged ids.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let sibling: TestUser;
let manager: TestUser;
const ids: Record<string, string> = {};

const newQuote = async (user: TestUser, quote: Record<string, unknown>, lines: Array<Record<string, unknown>>) => {
  const res = await user.request('POST', '/api/v1/quotes', { body: { quote, lines } });
  expect(res.status, res.text).toBe(201);
  return res.body as { quote: any; lines: any[] };
};
const run = (user: TestUser, id: string, command: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  user.request('POST', `/api/v1/quotes/${id}/${command}`, { body, headers });
const refusal = (res: { status: number; body: any }) => [res.status, res.body?.errors?.[0]?.field, res.body?.errors?.[0]?.code];
const sentQuote = async (lines: Array<Record<string, unknown>> = [{ product: ids.part, quantity: 1 }], quote: Record<string, unknown> = {}) => {
  const { quote: q, lines: l } = await newQuote(admin, { account: ids.plain, ...quote }, lines);
  ok(await run(admin, q.id, 'send'));
  return { quote: q, lines: l };
};

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  sibling = await server.createUser();
  manager = await server.createUser();
  await createSiblingRoles(admin);
  ok(await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { role: 'sales_east' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${sibling.id}`, { body: { role: 'sales_west' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${manager.id}`, { body: { role: 'sales_head' } }));
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  ids.part = (await buildRecord(admin, 'product', { code: 'PRT-FILTER', name: 'Oil filter', type: 'part', unit_of_measure: each, cost: 5 })).id;
  ids.kit = (await buildRecord(admin, 'product', { code: 'PRT-KIT', name: 'Service kit', type: 'part', unit_of_measure: each, cost: 20 })).id;
  ids.book = (await buildRecord(admin, 'price_book', { name: 'Standard USD', currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids.part, unit_price: '100.00' });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids.kit, unit_price: '50.00' });
  ids.plain = (await buildAccount(admin, { name: 'Plain Power', currency: 'USD' })).id;
});
afterAll(async () => server?.close());

describe('discount approval', () => {
  it("holds a quote discounted beyond the limit for the owner's manager, who approves it; then it can be sent", async () => {
    const { quote } = await newQuote(rep, { account: ids.plain, discount_percent: 20 }, [{ product: ids.part, quantity: 1 }]);
    expect(quote.effective_discount).toBe(20);
    expect((await run(rep, quote.id, 'send')).body.status).toBe('pending_approval');
    expect(refusal(await run(rep, quote.id, 'send'))).toEqual([409, 'status', 'approval_pending']);
    expect((await run(rep, quote.id, 'approve')).status).toBe(403);
    expect((await run(sibling, quote.id, 'approve')).status).toBe(403);
    const approved = await run(manager, quote.id, 'approve', { comment: 'Key account' });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', approved_by: manager.id, approval_comment: 'Key account' });
    // Changing an approved quote takes it back to draft: the approval was for what the manager saw.
    const edited = await rep.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { discount_percent: 25 } });
    expect(edited.body).toMatchObject({ status: 'draft', approved_by: null });
    expect((await run(rep, quote.id, 'send')).body.status).toBe('pending_approval');
    ok(await run(manager, quote.id, 'approve'));
    expect((await run(rep, quote.id, 'send')).body).toMatchObject({ status: 'sent' });
  });

  it('rejects back to draft with the comment; below the limit, or with the capability, it is sent at once', async () => {
    const { quote } = await newQuote(rep, { account: ids.plain, discount_amount: 30 }, [{ product: ids.part, quantity: 1 }]);
    expect((await run(rep, quote.id, 'send')).body.status).toBe('pending_approval');
    expect((await run(manager, quote.id, 'reject', { comment: 'Too much' })).body).toMatchObject({ status: 'draft', approval_comment: 'Too much' });
    const small = await newQuote(rep, { account: ids.plain, discount_percent: 10 }, [{ product: ids.part, quantity: 1 }]);
    expect((await run(rep, small.quote.id, 'send')).body.status).toBe('sent');
    const big = await newQuote(admin, { account: ids.plain, discount_percent: 50 }, [{ product: ids.part, quantity: 1 }]);
    expect((await run(admin, big.quote.id, 'send')).body.status).toBe('sent');
    // A unit price below the list price counts as discount too.
    const cheap = await newQuote(rep, { account: ids.plain }, [{ product: ids.part, quantity: 1, unit_price: 70 }]);
    expect(cheap.quote.effective_discount).toBe(30);
    expect((await run(rep, cheap.quote.id, 'send')).body.status).toBe('pending_approval');
  });
});

describe('versions', () => {
  it('revising a sent quote makes the next version with the same number; the old one is superseded and cannot be accepted', async () => {
    const { quote, lines } = await sentQuote([{ product: ids.part, quantity: 2, unit_price: 95 }, { product: ids.kit, quantity: 1, optional: true }]);
    const revised = await run(admin, quote.id, 'revise');
    expect(revised.status, revised.text).toBe(200);
    expect(revised.body).toMatchObject({ number: quote.number, revision: 2, name: `${quote.number} v2`, status: 'draft', previous_version: quote.id });
    const copy = (await admin.request('GET', `/api/v1/quotes/${revised.body.id}`)).body;
    expect(copy.lines.map((l: any) => [l.product, l.quantity, l.unit_price, l.optional])).toEqual(lines.map((l) => [l.product, l.quantity, l.unit_price, l.optional]));
    expect(copy.quote.total).toBe(quote.total);
    const old = await admin.request('GET', `/api/v1/quote/${quote.id}`);
    expect(old.body).toMatchObject({ status: 'superseded', superseded_by: revised.body.id });
    expect(refusal(await run(admin, quote.id, 'accept-internal', { signerName: 'X' }))).toEqual([409, 'status', 'quote_superseded']);
    expect(refusal(await run(admin, quote.id, 'revise'))).toEqual([409, 'status', 'quote_superseded']);
    // The new version goes out and is answered on its own.
    ok(await run(admin, revised.body.id, 'send'));
    expect((await run(admin, revised.body.id, 'accept-internal', { signerName: 'Dana' })).body.quote.status).toBe('accepted');
  });
});

describe('expiry', () => {
  it('the job expires sent quotes past their validity; an expired quote cannot be accepted but can be revised', async () => {
    const { quote } = await sentQuote();
    const answered = await sentQuote();
    ok(await run(admin, answered.quote.id, 'decline'));
    const { expired } = await expireQuotes({ platform: server.platform, today: '2999-01-01' });
    expect(expired).toBeGreaterThanOrEqual(1);
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.status).toBe('expired');
    expect((await admin.request('GET', `/api/v1/quote/${answered.quote.id}`)).body.status).toBe('declined');
    expect(refusal(await run(admin, quote.id, 'accept-internal', { signerName: 'X' }))).toEqual([409, 'status', 'quote_expired']);
    expect((await run(admin, quote.id, 'revise')).body.revision).toBe(2);
  });

  it('refuses accepting a quote past its date even before the job ran', async () => {
    const { quote } = await sentQuote();
    await sql`UPDATE obj_quote SET price_date = '2020-01-01', valid_until = '2020-01-31' WHERE id = ${quote.id}`.execute(server.platform.db);
    expect(refusal(await run(admin, quote.id, 'accept-internal', { signerName: 'X' }))).toEqual([409, 'status', 'quote_expired']);
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.status).toBe('sent');
  });
});

describe('optional lines and partial wins', () => {
  it('accepting without an optional line wins the deal partially for the accepted amount', async () => {
    const opp = await buildOpportunity(admin, { account: ids.plain });
    ok(await admin.request('POST', '/api/v1/opportunity_line', { body: { opportunity: opp.id, product: ids.part, quantity: 2 } }));
    ok(await admin.request('POST', '/api/v1/opportunity_line', { body: { opportunity: opp.id, product: ids.kit, quantity: 1 } }));
    expect((await admin.request('GET', `/api/v1/opportunity/${opp.id}`)).body).toMatchObject({ amount: 250, gross_profit: 250 - 30 });
    const { quote, lines } = await newQuote(admin, { opportunity: opp.id }, []);
    const kit = lines.find((l) => l.product === ids.kit);
    expect((await admin.request('PATCH', `/api/v1/quote_line/${kit.id}`, { body: { optional: true } })).body).toMatchObject({ optional: true, selected: false });
    ok(await admin.request('PATCH', `/api/v1/quote_line/${kit.id}`, { body: { selected: true } }));
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.total).toBe(250);
    ok(await run(admin, quote.id, 'send'));
    const part = lines.find((l) => l.product === ids.part);
    expect(refusal(await run(admin, quote.id, 'accept-internal', { signerName: 'X', optionalLines: [part.id] }))).toEqual([422, 'optionalLines[0]', 'not_optional']);
    expect(refusal(await run(admin, quote.id, 'accept-internal', { signerName: 'X', optionalLines: ['01890000-0000-7000-8000-000000000000'] }))).toEqual([422, 'optionalLines[0]', 'not_found']);
    const res = await run(admin, quote.id, 'accept-internal', { signerName: 'Dana Buyer', optionalLines: [] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.quote).toMatchObject({ status: 'accepted', accepted_total: 200, total: 200 });
    expect(res.body.opportunity).toMatchObject({ outcome: 'partially_won', wonAmount: 200 });
    expect((await admin.request('GET', `/api/v1/opportunity/${opp.id}`)).body).toMatchObject({ stage: 'partially_won', won_amount: 200 });
    const kitAfter = (await admin.request('GET', `/api/v1/quote_line/${kit.id}`)).body;
    expect(kitAfter).toMatchObject({ selected: false, total: 50 });
  });

  it('accepting with the optional line chosen wins it fully', async () => {
    const { quote, lines } = await sentQuote([{ product: ids.part, quantity: 1 }, { product: ids.kit, quantity: 1, optional: true }]);
    // An optional line is offered, not counted, until chosen.
    expect(lines[1]).toMatchObject({ optional: true, selected: false, total: 50 });
    expect(quote.total).toBe(100);
    const res = await run(admin, quote.id, 'accept-internal', { signerName: 'Dana', optionalLines: [lines[1].id] });
    expect(res.body.quote.accepted_total).toBe(150);
  });
});

describe('a quote that went out is locked', () => {
  it('refuses line and header edits, new lines, deletes and status writes — revise instead', async () => {
    const { quote, lines } = await sentQuote();
    expect(refusal(await admin.request('PATCH', `/api/v1/quote_line/${lines[0].id}`, { body: { quantity: 5 } }))).toEqual([409, 'status', 'quote_locked']);
    expect(refusal(await admin.request('POST', '/api/v1/quote_line', { body: { quote: quote.id, product: ids.part, quantity: 1 } }))).toEqual([409, 'status', 'quote_locked']);
    expect(refusal(await admin.request('DELETE', `/api/v1/quote_line/${lines[0].id}`))).toEqual([409, 'status', 'quote_locked']);
    expect(refusal(await admin.request('DELETE', `/api/v1/quote/${quote.id}`))).toEqual([409, 'status', 'quote_locked']);
    expect((await admin.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { status: 'accepted' } })).status).toBe(400);
    expect((await admin.request('GET', `/api/v1/quote_line/${lines[0].id}`)).body.quantity).toBe(1);
  });

  it('a draft can be changed and deleted with its lines', async () => {
    const { quote, lines } = await newQuote(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }, { product: ids.kit, quantity: 2 }]);
    expect(quote.total).toBe(200);
    ok(await admin.request('DELETE', `/api/v1/quote_line/${lines[1].id}`));
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.total).toBe(100);
    expect((await admin.request('DELETE', `/api/v1/quote/${quote.id}`)).status).toBe(204);
  });
});

describe('recycle bin', () => {
  it('a restored line re-totals its quote; into a quote that went out it is refused', async () => {
    const { quote, lines } = await newQuote(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }, { product: ids.kit, quantity: 1 }]);
    const binEntry = async (id: string) => (await admin.request('GET', '/api/v1/recycle-bin?object=quote_line')).body.data.find((e: any) => e.recordId === id).id;
    ok(await admin.request('DELETE', `/api/v1/quote_line/${lines[1].id}`));
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.total).toBe(100);
    ok(await admin.request('POST', `/api/v1/recycle-bin/${await binEntry(lines[1].id)}/restore`));
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.total).toBe(150);

    ok(await admin.request('DELETE', `/api/v1/quote_line/${lines[1].id}`));
    ok(await run(admin, quote.id, 'send'));
    const refused = await admin.request('POST', `/api/v1/recycle-bin/${await binEntry(lines[1].id)}/restore`);
    expect(refusal(refused)).toEqual([409, 'status', 'quote_locked']);
    expect((await admin.request('GET', `/api/v1/quote_line/${lines[1].id}`)).status).toBe(404);
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.total).toBe(100);
  });
});

describe('concurrency', () => {
  it('numbers concurrent quotes without duplicates or gaps, and a refused quote gives its number back', async () => {
    const number = (n: string) => Number(n.split('-').pop());
    const before = number((await newQuote(admin, { account: ids.plain }, [])).quote.number);
    const bad = await admin.request('POST', '/api/v1/quotes', { body: { quote: { account: ids.plain }, lines: [{ product: ids.part, quantity: 0 }] } });
    expect(bad.status).toBe(422);
    const made = await Promise.all(Array.from({ length: 8 }, () => admin.request('POST', '/api/v1/quotes', { body: { quote: { account: ids.plain } } })));
    expect(made.map((r) => r.status)).toEqual(Array(8).fill(201));
    const numbers = made.map((r) => number(r.body.quote.number)).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 8 }, (_, i) => before + 1 + i));
  });

  it('two accepts at once accept once; the other is refused', async () => {
    const { quote } = await sentQuote();
    const answers = await Promise.all([run(admin, quote.id, 'accept-internal', { signerName: 'A' }), run(admin, quote.id, 'accept-internal', { signerName: 'B' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event WHERE type = 'quote.accepted' AND record_id = ${quote.id}`.execute(server.platform.db);
    expect(events.rows[0]!.n).toBe(1);
  });

  it('concurrent edits of one quote’s lines and header queue and all succeed, and the totals stay exact', async () => {
    const { quote, lines } = await newQuote(admin, { account: ids.plain }, [1, 2, 3, 4].map((q) => ({ product: ids.part, quantity: q })));
    const answers = await Promise.all([
      ...lines.map((l, i) => admin.request('PATCH', `/api/v1/quote_line/${l.id}`, { body: { quantity: 10 + i, discount_percent: 5 } })),
      admin.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { discount_amount: 7 } }),
    ]);
    // Every writer locks the quote before its line (beforeLock): they queue, none deadlocks.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const read = (await admin.request('GET', `/api/v1/quotes/${quote.id}`)).body;
    const cents = (x: number) => Math.round(x * 100);
    expect(read.lines.reduce((s: number, l: any) => s + cents(l.total), 0)).toBe(cents(read.quote.total));
    expect(read.lines.reduce((s: number, l: any) => s + cents(l.document_discount), 0)).toBe(cents(read.quote.discount_total));
  });

  it('a stale version is a conflict: a line change moves the quote’s version on', async () => {
    const { quote } = await newQuote(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    const read = await admin.request('GET', `/api/v1/quote/${quote.id}`);
    ok(await admin.request('POST', '/api/v1/quote_line', { body: { quote: quote.id, product: ids.kit, quantity: 1 } }));
    const stale = await admin.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { title: 'Mine' }, headers: { 'if-match': `"${read.body.version}"` } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    const staleSend = await run(admin, quote.id, 'send', {}, { 'if-match': `"${read.body.version}"` });
    expect(staleSend.body.code).toBe('version_conflict');
  });
});

describe('forged ids', () => {
  it('answers 404 for malformed and unknown quote ids and refuses lines on a quote that does not exist', async () => {
    expect((await admin.request('GET', '/api/v1/quotes/not-an-id')).status).toBe(404);
    expect((await admin.request('GET', '/api/v1/quotes/01890000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await run(admin, '01890000-0000-7000-8000-000000000000', 'send')).status).toBe(404);
    expect((await run(admin, "1' OR '1'='1", 'accept-internal', { signerName: 'X' })).status).toBe(404);
    const line = await admin.request('POST', '/api/v1/quote_line', { body: { quote: '01890000-0000-7000-8000-000000000000', product: ids.part, quantity: 1 } });
    expect([line.status, line.body.errors[0].field]).toEqual([400, 'quote']);
  });
});
