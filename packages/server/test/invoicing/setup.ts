import { expect } from 'vitest';
import type { TestServer, TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';

/** Products, a standard USD book and taxes the invoice suites price from (like the quote suites). */
export async function invoiceCatalogue(server: TestServer): Promise<Record<string, string>> {
  const admin = server.admin;
  const unit = async (code: string) => (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: code }))}`)).body.data[0].id as string;
  const ids: Record<string, string> = {};
  const suffix = Math.random().toString(36).slice(2, 8);
  ids.service = (await buildRecord(admin, 'product', { code: `SVC-${suffix}`, name: 'Generator inspection', type: 'service', unit_of_measure: await unit('h'), cost: 40 })).id;
  ids.part = (await buildRecord(admin, 'product', { code: `PRT-${suffix}`, name: 'Oil filter', type: 'part', unit_of_measure: await unit('each'), cost: 5 })).id;
  const book = (await buildRecord(admin, 'price_book', { name: `Invoices USD ${suffix}`, currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: book, product: ids.service, unit_price: '100.00' });
  await buildRecord(admin, 'price_book_entry', { price_book: book, product: ids.part, unit_price: '12.50' });
  await buildRecord(admin, 'tax_rate', { name: 'GST', rate: 5, region: 'CA' });
  await buildRecord(admin, 'tax_rate', { name: 'QST', rate: 9.975, region: 'QC', compound: true });
  ids.quebec = (await buildAccount(admin, { name: 'Hydro Nord', currency: 'USD', billing_street: '1 Rue du Port', billing_city: 'Montréal', billing_state: 'QC', billing_country: 'CA', payment_terms: 'net_15' })).id;
  ids.plain = (await buildAccount(admin, { name: 'Plain Power', currency: 'USD' })).id;
  return ids;
}

export async function draftInvoice(user: TestUser, invoice: Record<string, unknown>, lines: Array<Record<string, unknown>>): Promise<{ invoice: any; lines: any[] }> {
  const res = await user.request('POST', '/api/v1/invoices', { body: { invoice, lines } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export const run = (user: TestUser, id: string, command: string, body: unknown = {}) => user.request('POST', `/api/v1/invoices/${id}/${command}`, { body });
export const firstError = (res: { body: any }) => [res.body?.errors?.[0]?.field, res.body?.errors?.[0]?.code];
