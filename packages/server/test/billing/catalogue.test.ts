import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { defineModule, withModuleFields } from '../../src/platform/module.ts';
import { defineObject, field } from '../../src/platform/metadata/define.ts';

/**
 * The catalogue's records and rules: units of measure (seeded, managed), products, specs, tax
 * rates, price books and entries (defaults, money precision per currency, no two entries
 * answering the same question), one standard book per currency, and the fields billing adds to
 * sales' account through the module contract.
 */
let server: TestServer;
let admin: TestUser;
let each: string;

const problem = async (method: string, url: string, body: unknown) => {
  const res = await admin.request(method, url, { body });
  return [res.status, res.body?.errors?.[0]?.field, res.body?.errors?.[0]?.code];
};

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const units = await admin.request('GET', '/api/v1/unit_of_measure?limit=100');
  each = units.body.data.find((u: { code: string }) => u.code === 'each').id;
});
afterAll(async () => server?.close());

describe('fields one module adds to another module’s object', () => {
  it('billing’s price book, tax exemption and certificate are account fields with columns and metadata', async () => {
    const meta = await admin.request('GET', '/api/v1/metadata/objects/account');
    const names = meta.body.fields.map((f: { apiName: string }) => f.apiName);
    expect(names).toEqual(expect.arrayContaining(['price_book', 'tax_exempt', 'tax_exemption_certificate', 'price_adjuster']));
    // Placed before the system fields, like the owner's own.
    expect(names.indexOf('tax_exempt')).toBeLessThan(names.indexOf('id'));
    const book = await buildRecord(admin, 'price_book', { name: 'Key accounts', currency: 'USD' });
    const account = await buildAccount(admin, { price_book: book.id });
    expect(account).toMatchObject({ price_book: book.id, tax_exempt: false });
    const fk = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'fk__obj_account__price_book'`.execute(server.platform.db);
    expect(fk.rows[0]!.n).toBe(1);
    // onDelete 'clear': deleting the book empties the account's link instead of blocking.
    expect((await admin.request('DELETE', `/api/v1/price_book/${book.id}`)).status).toBe(204);
    expect((await admin.request('GET', `/api/v1/account/${account.id}`)).body.price_book).toBeNull();
  });

  it('refuses fields for an object no module declares, or a name the object already has', () => {
    const thing = defineObject({ apiName: 'thing', label: 'Thing', pluralLabel: 'Things', nameField: 'name', navOrder: 1, fields: [field('name', 'Name', 'text')] });
    const adds = (object: string, name: string) => defineModule({ name: 'extra', fieldsFor: { [object]: [field(name, 'X', 'text')] } });
    expect(withModuleFields([thing], [adds('thing', 'colour')])[0]!.fields.map((f) => f.apiName).slice(0, 2)).toEqual(['name', 'colour']);
    expect(() => withModuleFields([thing], [adds('widget', 'colour')])).toThrow(/adds fields to 'widget', which no module declares/);
    expect(() => withModuleFields([thing], [adds('thing', 'name')])).toThrow(/adds field 'name' to 'thing', which already has one/);
  });
});

describe('catalogue', () => {
  it('seeds the managed units once and stores unit codes lower-case', async () => {
    const units = (await admin.request('GET', '/api/v1/unit_of_measure?limit=100')).body.data.map((u: { code: string }) => u.code);
    expect(units).toEqual(expect.arrayContaining(['each', 'h', 'day', 'm2', 'sqft', 'kg']));
    expect((await buildRecord(admin, 'unit_of_measure', { code: ' Pallet ', name: 'Pallet' })).code).toBe('pallet');
    expect(await problem('POST', '/api/v1/unit_of_measure', { code: 'PALLET', name: 'Pallet again' })).toEqual([409, 'code', 'unique']);
  });

  it('products: unique code, a unit from the list, a type, cost in the corporate currency’s precision', async () => {
    const product = await buildRecord(admin, 'product', { code: 'EQ-GEN-100', name: '100 kW generator', type: 'equipment', unit_of_measure: each, cost: '25000.50' });
    expect(product).toMatchObject({ type: 'equipment', active: true, cost: 25000.5 });
    expect(await problem('POST', '/api/v1/product', { code: 'EQ-GEN-100', name: 'Copy', unit_of_measure: each })).toEqual([409, 'code', 'unique']);
    expect(await problem('POST', '/api/v1/product', { code: 'X-1', name: 'No unit' })).toEqual([400, 'unit_of_measure', 'required']);
    expect(await problem('POST', '/api/v1/product', { code: 'X-2', name: 'Bad type', unit_of_measure: each, type: 'software' })).toEqual([400, 'type', 'invalid_choice']);
    expect(await problem('POST', '/api/v1/product', { code: 'X-3', name: 'Fractional cent', unit_of_measure: each, cost: '10.005' })).toEqual([422, 'cost', 'precision']);
    const spec = await buildRecord(admin, 'product_spec', { product: product.id, name: 'Standby rating' });
    const other = await buildRecord(admin, 'product', { code: 'EQ-GEN-200', name: '200 kW generator', unit_of_measure: each });
    expect(await problem('PATCH', `/api/v1/product_spec/${spec.id}`, { product: other.id })).toEqual([422, 'product', 'immutable']);
  });

  it('tax rates are percentages from 0 to 100', async () => {
    expect(await problem('POST', '/api/v1/tax_rate', { name: 'Too much', rate: 120 })).toEqual([422, 'rate', 'out_of_range']);
    expect(await problem('POST', '/api/v1/tax_rate', { name: 'Negative', rate: -1 })).toEqual([422, 'rate', 'out_of_range']);
    expect((await buildRecord(admin, 'tax_rate', { name: 'QST', rate: '9.975', compound: true, region: 'QC' })).rate).toBe(9.975);
  });
});

describe('price books', () => {
  it('entries default to the book’s currency and the product’s unit, are named, and hold prices to the currency’s minor unit', async () => {
    const yen = await buildRecord(admin, 'price_book', { name: 'Japan', currency: 'JPY' });
    const product = await buildRecord(admin, 'product', { code: 'SVC-JP', name: 'Inspection', unit_of_measure: each });
    const entry = await buildRecord(admin, 'price_book_entry', { price_book: yen.id, product: product.id, unit_price: 12000, min_quantity: 5 });
    expect(entry).toMatchObject({ currency: 'JPY', unit_of_measure: each, name: 'SVC-JP per each from 5 (JPY)' });
    expect(await problem('POST', '/api/v1/price_book_entry', { price_book: yen.id, product: product.id, unit_price: '12000.5', min_quantity: 6 })).toEqual([422, 'unit_price', 'precision']);
    const kwd = await buildRecord(admin, 'price_book_entry', { price_book: yen.id, product: product.id, currency: 'KWD', unit_price: '1.125' });
    expect(kwd.unit_price).toBe(1.125);
    expect(await problem('POST', '/api/v1/price_book_entry', { price_book: yen.id, product: product.id, unit_price: -1, min_quantity: 7 })).toEqual([422, 'unit_price', 'out_of_range']);
  });

  it('refuses a spec of another product, dates in the wrong order, and two entries answering the same question', async () => {
    const book = await buildRecord(admin, 'price_book', { name: 'Rules', currency: 'USD' });
    const a = await buildRecord(admin, 'product', { code: 'A-1', name: 'A', unit_of_measure: each });
    const b = await buildRecord(admin, 'product', { code: 'B-1', name: 'B', unit_of_measure: each });
    const specOfB = await buildRecord(admin, 'product_spec', { product: b.id, name: 'Large' });
    const entry = (input: Record<string, unknown>) => problem('POST', '/api/v1/price_book_entry', { price_book: book.id, product: a.id, unit_price: '5.00', ...input });
    expect(await entry({ product_spec: specOfB.id })).toEqual([422, 'product_spec', 'wrong_product']);
    expect(await entry({ valid_from: '2026-02-01', valid_to: '2026-01-31' })).toEqual([422, 'valid_to', 'before_start']);
    expect((await entry({ valid_to: '2026-06-30' }))[0]).toBe(201);
    expect(await entry({ valid_from: '2026-06-30' })).toEqual([422, 'valid_from', 'overlapping_entry']);
    expect((await entry({ valid_from: '2026-07-01' }))[0]).toBe(201);
    expect((await entry({ valid_from: '2026-06-30', min_quantity: 10 }))[0]).toBe(201);
    expect((await entry({ valid_from: '2026-06-30', active: false }))[0]).toBe(201);
  });

  it('lets only one of two concurrent writers create the same entry or the same rate', async () => {
    const book = await buildRecord(admin, 'price_book', { name: 'Race', currency: 'USD' });
    const product = await buildRecord(admin, 'product', { code: 'RACE-1', name: 'Race', unit_of_measure: each });
    const entries = await Promise.all([1, 2].map(() => admin.request('POST', '/api/v1/price_book_entry', { body: { price_book: book.id, product: product.id, unit_price: '1.00' } })));
    expect(entries.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(entries.find((r) => r.status === 422)!.body.errors[0].code).toBe('overlapping_entry');
    const rates = await Promise.all([1, 2].map(() => admin.request('POST', '/api/v1/exchange_rate', { body: { rate_date: '2026-07-01', from_currency: 'NZD', to_currency: 'AUD', rate: 0.91 } })));
    expect(rates.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(rates.find((r) => r.status === 422)!.body.errors[0]).toMatchObject({ field: 'rate_date', code: 'duplicate_rate' });
  });

  it('keeps one standard book per currency', async () => {
    const first = await buildRecord(admin, 'price_book', { name: 'Standard CAD', currency: 'CAD', is_standard: true });
    const euro = await buildRecord(admin, 'price_book', { name: 'Standard EUR', currency: 'EUR', is_standard: true });
    await buildRecord(admin, 'price_book', { name: 'Standard CAD 2027', currency: 'CAD', is_standard: true });
    expect((await admin.request('GET', `/api/v1/price_book/${first.id}`)).body.is_standard).toBe(false);
    expect((await admin.request('GET', `/api/v1/price_book/${euro.id}`)).body.is_standard).toBe(true);
    expect(await problem('PATCH', `/api/v1/price_book/${euro.id}`, { active: false })).toEqual([422, 'active', 'standard_inactive']);
  });
});
