import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { draftInvoice, firstError, invoiceCatalogue, run } from './setup.ts';

/**
 * Invoices (issue 12 items 5 and 11): drafts priced like quotes, posting with a gapless number
 * per series and year, due dates from the terms, immutability once posted, credit notes (partial,
 * full, over-credit) and voiding, and the refusals: posting twice, editing a posted invoice or
 * its lines, forged ids. Runs on PGlite and on PostgreSQL (DATABASE_URL).
 */
let server: TestServer;
let admin: TestUser;
let ids: Record<string, string>;
const year = () => new Date().getUTCFullYear();

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ids = await invoiceCatalogue(server);
});
afterAll(async () => server?.close());

describe('a draft invoice', () => {
  it('takes the account’s currency, terms and billing address, prices its lines with taxes and totals them with the kernel; no number yet', async () => {
    const { invoice, lines } = await draftInvoice(admin, { account: ids.quebec, po_number: 'PO-77' }, [
      { product: ids.service, quantity: 3 },
      { product: ids.part, quantity: 2, discount_percent: 10 },
    ]);
    expect(invoice).toMatchObject({ name: 'Draft', number: null, kind: 'invoice', status: 'draft', currency: 'USD', payment_terms: 'net_15', invoice_date: null, due_date: null });
    expect(invoice.billing_address).toBe('1 Rue du Port\nMontréal, QC\nCA');
    expect(lines.map((l) => [l.unit_price, l.net])).toEqual([[100, 300], [12.5, 22.5]]);
    expect([invoice.subtotal, invoice.tax_total, invoice.total]).toEqual([322.5, 49.91, 372.41]);
  });

  it('is edited through the generic record routes with the same rules', async () => {
    const { invoice, lines } = await draftInvoice(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    const patched = await admin.request('PATCH', `/api/v1/invoice_line/${lines[0].id}`, { body: { quantity: 4 } });
    expect(patched.status, patched.text).toBe(200);
    expect((await admin.request('GET', `/api/v1/invoice/${invoice.id}`)).body.total).toBe(50);
    const added = await admin.request('POST', '/api/v1/invoice_line', { body: { invoice: invoice.id, product: ids.service, quantity: 1 } });
    expect(added.status, added.text).toBe(201);
    expect((await admin.request('GET', `/api/v1/invoice/${invoice.id}`)).body.total).toBe(150);
    // Figures, status and numbers are never taken from input.
    for (const body of [{ total: 1 }, { status: 'posted' }, { number: 'INV-1' }, { kind: 'credit_note' }]) {
      expect((await admin.request('PATCH', `/api/v1/invoice/${invoice.id}`, { body })).status).toBe(400);
    }
  });

  it('names a refused line by its place and leaves nothing behind', async () => {
    const before = (await admin.request('GET', '/api/v1/invoice?limit=200')).body.data.length;
    const res = await admin.request('POST', '/api/v1/invoices', { body: { invoice: { account: ids.plain }, lines: [{ product: ids.part, quantity: 1 }, { product: ids.part, quantity: -1 }] } });
    expect(res.status).toBe(422);
    expect(firstError(res)).toEqual(['lines[1].quantity', 'out_of_range']);
    expect((await admin.request('GET', '/api/v1/invoice?limit=200')).body.data.length).toBe(before);
  });
});

describe('posting', () => {
  it('gives the number, the invoice date and the due date from the terms, and writes invoice.posted', async () => {
    const { invoice } = await draftInvoice(admin, { account: ids.quebec }, [{ product: ids.service, quantity: 1 }]);
    const res = await run(admin, invoice.id, 'post');
    expect(res.status, res.text).toBe(200);
    expect(res.body.number).toMatch(new RegExp(`^INV-${year()}-\\d{5}$`));
    expect(res.body).toMatchObject({ name: res.body.number, status: 'posted', credited_total: 0, open_amount: res.body.total });
    const due = new Date(Date.parse(`${res.body.invoice_date}T00:00:00Z`) + 15 * 86_400_000).toISOString().slice(0, 10);
    expect(res.body.due_date).toBe(due);
    expect(res.body.posted_by).toBe(admin.id);
    const events = await sql<{ type: string }>`SELECT type FROM outbox_event WHERE record_id = ${invoice.id}::uuid AND type = 'invoice.posted'`.execute(server.platform.db);
    expect(events.rows).toHaveLength(1);
  });

  it('refuses an invoice without lines', async () => {
    const { invoice } = await draftInvoice(admin, { account: ids.plain }, []);
    const res = await run(admin, invoice.id, 'post');
    expect(res.status).toBe(422);
    expect(firstError(res)).toEqual(['lines', 'empty']);
  });

  it('posts the same draft once: the second post is a 409 and uses no number', async () => {
    const { invoice } = await draftInvoice(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    const [a, b] = await Promise.all([run(admin, invoice.id, 'post'), run(admin, invoice.id, 'post')]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    expect(firstError(refused)).toEqual(['status', 'invoice_posted']);
    const posted = a.status === 200 ? a : b;
    // The next posting gets the very next number: none was used up by the refused one.
    const { invoice: next } = await draftInvoice(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    const after = await run(admin, next.id, 'post');
    expect(Number(after.body.number.slice(-5))).toBe(Number(posted.body.number.slice(-5)) + 1);
  });

  it('numbers 20 concurrent postings consecutively: no gap, no duplicate', async () => {
    const drafts = await Promise.all(Array.from({ length: 20 }, () => draftInvoice(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }])));
    const last = await sql<{ last_value: string }>`SELECT last_value::text FROM billing_number_series WHERE series = 'invoice'`.execute(server.platform.db);
    const start = Number(last.rows[0]?.last_value ?? 0);
    const results = await Promise.all(drafts.map(({ invoice }) => run(admin, invoice.id, 'post')));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const numbers = results.map((r) => Number(String(r.body.number).slice(-5))).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => start + 1 + i));
  });

  it('makes a posted invoice and its lines immutable (409 invoice_posted), and not deletable', async () => {
    const { invoice, lines } = await draftInvoice(admin, { account: ids.plain }, [{ product: ids.part, quantity: 2 }]);
    await run(admin, invoice.id, 'post');
    const refusals = [
      await admin.request('PATCH', `/api/v1/invoice/${invoice.id}`, { body: { po_number: 'changed' } }),
      await admin.request('PATCH', `/api/v1/invoice_line/${lines[0].id}`, { body: { quantity: 1 } }),
      await admin.request('POST', '/api/v1/invoice_line', { body: { invoice: invoice.id, product: ids.part, quantity: 1 } }),
      await admin.request('DELETE', `/api/v1/invoice_line/${lines[0].id}`),
      await admin.request('DELETE', `/api/v1/invoice/${invoice.id}`),
    ];
    expect(refusals.map((r) => [r.status, ...firstError(r)])).toEqual(Array(5).fill([409, 'status', 'invoice_posted']));
    const read = await admin.request('GET', `/api/v1/invoices/${invoice.id}`);
    expect(read.body.lines).toHaveLength(1);
    expect(read.body.invoice.total).toBe(25);
  });

  it('answers 404 for forged and unknown ids', async () => {
    for (const id of ['00000000-0000-7000-8000-000000000000', 'not-an-id']) {
      for (const command of ['post', 'credit', 'void', 'send']) expect((await run(admin, id, command, command === 'credit' ? { full: true } : {})).status).toBe(404);
      expect((await admin.request('GET', `/api/v1/invoices/${id}`)).status).toBe(404);
      expect((await admin.request('GET', `/api/v1/invoices/${id}/pdf`)).status).toBe(404);
    }
  });
});

describe('credit notes', () => {
  async function postedInvoice(lines: Array<Record<string, unknown>> = [{ product: ids.service, quantity: 4 }, { product: ids.part, quantity: 2 }], header: Record<string, unknown> = {}) {
    const made = await draftInvoice(admin, { account: ids.quebec, ...header }, lines);
    const posted = await run(admin, made.invoice.id, 'post');
    expect(posted.status, posted.text).toBe(200);
    return { invoice: posted.body, lines: made.lines };
  }

  it('credits part of an invoice at its prices and taxes, with its own series, and the open amount follows', async () => {
    const { invoice, lines } = await postedInvoice();
    const res = await run(admin, invoice.id, 'credit', { lines: [{ invoiceLine: lines[0].id, quantity: 1 }], reason: 'One visit cancelled' });
    expect(res.status, res.text).toBe(200);
    const { creditNote, invoice: after } = res.body;
    expect(creditNote).toMatchObject({ kind: 'credit_note', status: 'posted', credited_invoice: invoice.id, credit_reason: 'One visit cancelled', due_date: null });
    expect(creditNote.number).toMatch(new RegExp(`^CN-${year()}-\\d{5}$`));
    // 100.00 + GST 5.00 + QST 10.47 (9.975% of 105.00)
    expect(creditNote.total).toBe(115.47);
    expect(res.body.lines).toHaveLength(1);
    expect(res.body.lines[0]).toMatchObject({ credited_line: lines[0].id, quantity: 1, unit_price: 100 });
    expect(after).toMatchObject({ status: 'posted', credited_total: 115.47 });
    expect(after.open_amount).toBeCloseTo(invoice.total - 115.47, 6);
    // The credit note is as immutable as an invoice.
    expect((await admin.request('PATCH', `/api/v1/invoice/${creditNote.id}`, { body: { po_number: 'x' } })).status).toBe(409);
  });

  it('refuses crediting more of a line than is left, or more than the open amount (422 naming the field)', async () => {
    const { invoice, lines } = await postedInvoice();
    let res = await run(admin, invoice.id, 'credit', { lines: [{ invoiceLine: lines[0].id, quantity: 5 }] });
    expect(res.status).toBe(422);
    expect(firstError(res)).toEqual(['lines[0].quantity', 'exceeds_invoiced']);
    expect((await run(admin, invoice.id, 'credit', { lines: [{ invoiceLine: lines[0].id, quantity: 3 }] })).status).toBe(200);
    res = await run(admin, invoice.id, 'credit', { lines: [{ invoiceLine: lines[1].id, quantity: 1 }, { invoiceLine: lines[0].id, quantity: 2 }] });
    expect(res.status).toBe(422);
    expect(firstError(res)).toEqual(['lines[1].quantity', 'exceeds_invoiced']);
    res = await run(admin, invoice.id, 'credit', { lines: [{ invoiceLine: '00000000-0000-7000-8000-000000000000', quantity: 1 }] });
    expect(firstError(res)).toEqual(['lines[0].invoiceLine', 'not_on_invoice']);
    // Nothing refused was kept: no credit note, no number.
    const notes = await admin.request('GET', `/api/v1/invoice?filter=${encodeURIComponent(JSON.stringify({ field: 'credited_invoice', op: 'eq', value: invoice.id }))}`);
    expect(notes.body.data).toHaveLength(1);
  });

  it('refuses a credit note above the open amount with 422 amount', async () => {
    const { invoice, lines } = await postedInvoice([{ product: ids.part, quantity: 2 }]);
    // What is open is less than a line's worth only if something else reduced it: simulate a payment-like reduction directly.
    await sql`UPDATE ${sql.table(server.platform.registry.requireObject('invoice').table)} SET open_amount = 1 WHERE id = ${invoice.id}`.execute(server.platform.db);
    const res = await run(admin, invoice.id, 'credit', { lines: [{ invoiceLine: lines[0].id, quantity: 1 }] });
    expect(res.status).toBe(422);
    expect(firstError(res)).toEqual(['amount', 'exceeds_open_amount']);
  });

  it('credits the rest in full, then there is nothing left to credit', async () => {
    const { invoice, lines } = await postedInvoice();
    await run(admin, invoice.id, 'credit', { lines: [{ invoiceLine: lines[1].id, quantity: 1 }] });
    const full = await run(admin, invoice.id, 'credit', { full: true });
    expect(full.status, full.text).toBe(200);
    expect(full.body.lines.map((l: any) => [l.credited_line, l.quantity])).toEqual([[lines[0].id, 4], [lines[1].id, 1]]);
    expect(full.body.invoice.open_amount).toBe(0);
    expect(full.body.invoice.credited_total).toBe(invoice.total);
    const again = await run(admin, invoice.id, 'credit', { full: true });
    expect(firstError(again)).toEqual(['lines', 'nothing_to_credit']);
  });

  it('credits a credit note never, and a draft never', async () => {
    const { invoice } = await draftInvoice(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    expect(firstError(await run(admin, invoice.id, 'credit', { full: true }))).toEqual(['status', 'invoice_not_posted']);
    const posted = await postedInvoice();
    const { creditNote } = (await run(admin, posted.invoice.id, 'credit', { full: true })).body;
    expect(firstError(await run(admin, creditNote.id, 'credit', { full: true }))).toEqual(['kind', 'not_an_invoice']);
  });

  it('voids an invoice with a full credit note; a void invoice cannot be credited or voided again', async () => {
    const { invoice } = await postedInvoice([{ product: ids.part, quantity: 3 }], { discount_amount: 5 });
    const res = await run(admin, invoice.id, 'void', { reason: 'Billed the wrong customer' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.invoice).toMatchObject({ status: 'void', open_amount: 0, credited_total: invoice.total });
    expect(res.body.creditNote).toMatchObject({ total: invoice.total, discount_amount: 5, credit_reason: 'Billed the wrong customer' });
    expect(firstError(await run(admin, invoice.id, 'void'))).toEqual(['status', 'invoice_void']);
    expect(firstError(await run(admin, invoice.id, 'credit', { full: true }))).toEqual(['status', 'invoice_void']);
  });
});
