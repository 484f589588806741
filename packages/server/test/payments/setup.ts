import { sql } from 'kysely';
import { expect } from 'vitest';
import type { TestServer, TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { waitFor } from '../events/helpers.ts';

/**
 * What the payment suites build on: a product priced one cent in a standard USD book (so an
 * invoice of N cents is N of it, no tax for accounts without a taxed region) and helpers that
 * post such invoices and record payments through the API.
 */
export async function centProduct(server: TestServer): Promise<string> {
  const admin = server.admin;
  const suffix = Math.random().toString(36).slice(2, 8);
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  const product = (await buildRecord(admin, 'product', { code: `CENT-${suffix}`, name: 'Service credit', unit_of_measure: each })).id as string;
  const books = await admin.request('GET', `/api/v1/price_book?filter=${encodeURIComponent(JSON.stringify({ and: [{ field: 'currency', op: 'eq', value: 'USD' }, { field: 'is_standard', op: 'eq', value: true }] }))}`);
  const book = books.body.data[0]?.id ?? (await buildRecord(admin, 'price_book', { name: `Payments USD ${suffix}`, currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: book, product, unit_price: '0.01' });
  return product;
}

export const payer = (admin: TestUser, name = 'Payer') => buildAccount(admin, { name: `${name} ${Math.random().toString(36).slice(2, 7)}`, currency: 'USD' }).then((a) => a.id as string);

/** A posted USD invoice of `cents`, optionally due on a given day (set in the database: posting dates it today). */
export async function postedInvoice(server: TestServer, user: TestUser, args: { product: string; account: string; cents: number; dueDate?: string }): Promise<{ id: string; number: string }> {
  const made = await user.request('POST', '/api/v1/invoices', { body: { invoice: { account: args.account, currency: 'USD' }, lines: [{ product: args.product, quantity: args.cents }] } });
  expect(made.status, made.text).toBe(201);
  const posted = await user.request('POST', `/api/v1/invoices/${made.body.invoice.id}/post`, { body: {} });
  expect(posted.status, posted.text).toBe(200);
  if (args.dueDate) await sql`UPDATE obj_invoice SET due_date = ${args.dueDate}::date, invoice_date = LEAST(invoice_date, ${args.dueDate}::date) WHERE id = ${made.body.invoice.id}::uuid`.execute(server.platform.db);
  return { id: made.body.invoice.id, number: posted.body.number };
}

export const pay = (user: TestUser, body: Record<string, unknown>) => user.request('POST', '/api/v1/payments', { body: { method: 'bank_transfer', ...body } });
export const invoiceOf = async (user: TestUser, id: string) => (await user.request('GET', `/api/v1/invoice/${id}`)).body;
export const firstError = (res: { body: any }) => [res.body?.errors?.[0]?.field, res.body?.errors?.[0]?.code];

/** Waits until the outbox has dispatched an event of this type for the record (the event backbone must run). */
export function dispatched(server: TestServer, recordId: string, type: string): Promise<true> {
  return waitFor(async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event
    WHERE record_id = ${recordId}::uuid AND type = ${type} AND dispatched_at IS NOT NULL`.execute(server.platform.db)).rows[0]!.n > 0 || null, `the dispatch of ${type}`);
}
