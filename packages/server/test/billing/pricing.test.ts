import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { billingSettings } from '../../src/modules/billing/index.ts';

/**
 * Price resolution (GET /api/v1/billing/price) over real price books: the account's book or the
 * standard one, quantity breaks, specs, validity dates, the account's adjuster, conversion at the
 * date's rate (direct or inverse), taxes of the account's region, and every refusal naming its
 * field. Also the document totals route, which uses the organisation's rounding.
 */
let server: TestServer;
let admin: TestUser;
const ids: Record<string, string> = {};

const price = (user: TestUser, params: Record<string, string>) => user.request('GET', `/api/v1/billing/price?${new URLSearchParams(params).toString()}`);
const unitId = async (code: string) => {
  const res = await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: code }))}`);
  return res.body.data[0].id as string;
};

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ids.hour = await unitId('h');
  ids.day = await unitId('day');
  ids.service = (await buildRecord(admin, 'product', { code: 'SVC-INSPECT', name: 'Generator inspection', type: 'service', unit_of_measure: ids.hour, cost: 40 })).id;
  ids.weekend = (await buildRecord(admin, 'product_spec', { product: ids.service, name: 'Weekend' })).id;
  ids.retired = (await buildRecord(admin, 'product', { code: 'SVC-OLD', name: 'Retired service', unit_of_measure: ids.hour, active: false })).id;
  ids.part = (await buildRecord(admin, 'product', { code: 'PRT-FILTER', name: 'Oil filter', type: 'part', unit_of_measure: await unitId('each') })).id;

  ids.standard = (await buildRecord(admin, 'price_book', { name: 'Standard USD', currency: 'USD', is_standard: true })).id;
  const entry = (input: Record<string, unknown>) => buildRecord(admin, 'price_book_entry', { price_book: ids.standard, product: ids.service, ...input });
  ids.list = (await entry({ unit_price: '100.00', valid_to: '2026-12-31' })).id;
  await entry({ unit_price: '110.00', valid_from: '2027-01-01' });
  await entry({ unit_price: '90.00', min_quantity: 10 });
  await entry({ unit_price: '120.00', product_spec: ids.weekend });
  await entry({ unit_price: '750.00', unit_of_measure: ids.day });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.standard, product: ids.part, unit_price: '12.50' });

  ids.europe = (await buildRecord(admin, 'price_book', { name: 'Europe', currency: 'EUR', tax_inclusive: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: ids.europe, product: ids.service, unit_price: '80.00' });

  ids.european = (await buildAccount(admin, { name: 'Stadtwerke', currency: 'EUR', price_book: ids.europe, price_adjuster: -5 })).id;
  ids.quebec = (await buildAccount(admin, { name: 'Hydro Nord', currency: 'USD', billing_state: 'QC', billing_country: 'CA' })).id;
  ids.canadian = (await buildAccount(admin, { name: 'Maple Power', currency: 'CAD' })).id;

  await buildRecord(admin, 'exchange_rate', { rate_date: '2026-05-01', from_currency: 'EUR', to_currency: 'USD', rate: 1.0837 });
  await buildRecord(admin, 'exchange_rate', { rate_date: '2026-01-01', from_currency: 'CAD', to_currency: 'USD', rate: 0.73 });

  await buildRecord(admin, 'tax_rate', { name: 'GST', rate: 5, region: 'CA' });
  await buildRecord(admin, 'tax_rate', { name: 'QST', rate: 9.975, region: 'QC', compound: true });
  await buildRecord(admin, 'tax_rate', { name: 'VAT DE', rate: 19, region: 'DE' });
});
afterAll(async () => server?.close());

describe('price resolution', () => {
  it('prices from the standard book when the account has none, with the explanation', async () => {
    const res = await price(admin, { account: ids.quebec, product: ids.service, date: '2026-06-01' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      unitPrice: '100.00', currency: 'USD', quantity: '1', date: '2026-06-01', taxInclusive: false,
      product: { id: ids.service, code: 'SVC-INSPECT' }, uom: { id: ids.hour, code: 'h' }, spec: null,
      explanation: { priceBook: { id: ids.standard, source: 'standard' }, entry: { id: ids.list, unitPrice: '100.00', validTo: '2026-12-31' }, quantityBreak: null, adjuster: null, conversion: null },
    });
    expect(res.body.explanation.steps).toEqual(['100.00 USD in Standard USD (standard book)']);
  });

  it('applies the highest quantity break reached, a spec’s own price, another unit, and the price valid on the date', async () => {
    const at = (extra: Record<string, string>) => price(admin, { account: ids.quebec, product: ids.service, date: '2026-06-01', ...extra });
    expect((await at({ quantity: '9.5' })).body.unitPrice).toBe('100.00');
    const bulk = await at({ quantity: '12' });
    expect([bulk.body.unitPrice, bulk.body.explanation.quantityBreak]).toEqual(['90.00', '10']);
    const weekend = await at({ spec: ids.weekend });
    expect([weekend.body.unitPrice, weekend.body.spec.name, weekend.body.explanation.entry.forSpec]).toEqual(['120.00', 'Weekend', true]);
    expect((await at({ uom: 'day' })).body.unitPrice).toBe('750.00');
    expect((await at({ uom: ids.day })).body.unitPrice).toBe('750.00');
    expect((await at({ date: '2027-03-01' })).body.unitPrice).toBe('110.00');
  });

  it("applies the account's book and adjuster, and converts at the date's rate", async () => {
    const own = await price(admin, { account: ids.european, product: ids.service, date: '2026-06-01' });
    expect(own.body).toMatchObject({ unitPrice: '76.00', currency: 'EUR', taxInclusive: true, explanation: { priceBook: { id: ids.europe, source: 'account' }, adjuster: { percent: '-5', before: '80.00', after: '76.00' } } });
    // 76.00 EUR × 1.0837 = 82.3612 → 82.36 USD
    const usd = await price(admin, { account: ids.european, product: ids.service, date: '2026-06-01', currency: 'USD' });
    expect(usd.body).toMatchObject({ unitPrice: '82.36', currency: 'USD', explanation: { conversion: { from: 'EUR', to: 'USD', rate: '1.0837', rateDate: '2026-05-01', inverted: false, before: '76.00', after: '82.36' } } });
    expect(usd.body.explanation.steps).toHaveLength(3);
  });

  it('uses the inverse rate when only the reverse pair exists, and refuses a missing rate naming the pair and date', async () => {
    // 100.00 USD ÷ 0.73 (the CAD→USD rate) = 136.986… → 136.99 CAD
    const cad = await price(admin, { account: ids.canadian, product: ids.service, date: '2026-06-01' });
    expect(cad.body).toMatchObject({ unitPrice: '136.99', currency: 'CAD', explanation: { conversion: { inverted: true, rateDate: '2026-01-01' } } });
    const before = await price(admin, { account: ids.canadian, product: ids.service, date: '2025-12-31' });
    expect(before.status).toBe(422);
    expect(before.body).toMatchObject({ code: 'rule_violation', pair: 'USD/CAD', date: '2025-12-31', errors: [{ field: 'currency', code: 'missing_exchange_rate' }] });
  });

  it('answers the taxes of the account’s region, none for a tax-exempt account', async () => {
    const res = await price(admin, { account: ids.quebec, product: ids.service, date: '2026-06-01' });
    expect(res.body.taxes).toEqual({ exempt: null, rates: [expect.objectContaining({ name: 'GST', rate: '5', compound: false }), expect.objectContaining({ name: 'QST', rate: '9.975', compound: true })] });
    const refused = await admin.request('PATCH', `/api/v1/account/${ids.quebec}`, { body: { tax_exempt: true } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'tax_exemption_certificate', code: 'required' });
    expect((await admin.request('PATCH', `/api/v1/account/${ids.quebec}`, { body: { tax_exempt: true, tax_exemption_certificate: 'QC-1234-5678' } })).status).toBe(200);
    const exempt = await price(admin, { account: ids.quebec, product: ids.service, date: '2026-06-01' });
    expect(exempt.body.taxes).toEqual({ exempt: { reason: 'account_exempt', certificate: 'QC-1234-5678' }, rates: [] });
    await admin.request('PATCH', `/api/v1/account/${ids.quebec}`, { body: { tax_exempt: false } });
  });

  it('gives a product category its own rates instead of the general ones, and none for an exempt category', async () => {
    const reduced = (await buildRecord(admin, 'tax_category', { name: 'Reduced' })).id;
    const exempt = (await buildRecord(admin, 'tax_category', { name: 'Exempt', exempt: true })).id;
    await buildRecord(admin, 'tax_rate', { name: 'Reduced GST', rate: 2, region: 'CA', tax_category: reduced });
    await admin.request('PATCH', `/api/v1/product/${ids.part}`, { body: { tax_category: reduced } });
    const part = await price(admin, { account: ids.quebec, product: ids.part, date: '2026-06-01' });
    expect(part.body.taxes.rates.map((t: { name: string }) => t.name)).toEqual(['Reduced GST']);
    await admin.request('PATCH', `/api/v1/product/${ids.part}`, { body: { tax_category: exempt } });
    expect((await price(admin, { account: ids.quebec, product: ids.part, date: '2026-06-01' })).body.taxes).toEqual({ exempt: { reason: 'category_exempt', certificate: null }, rates: [] });
  });

  it('refuses bad questions naming the field, with 400 for malformed input and 422 for what the data refuses', async () => {
    const ask = async (extra: Record<string, string>, base: Record<string, string> = { account: ids.quebec, product: ids.service, date: '2026-06-01' }) => {
      const res = await price(admin, { ...base, ...extra });
      return [res.status, res.body.errors?.[0]?.field, res.body.errors?.[0]?.code];
    };
    expect(await ask({ product: ids.retired })).toEqual([422, 'product', 'inactive']);
    expect(await ask({}, { account: ids.european, product: ids.part, date: '2026-06-01' })).toEqual([422, 'product', 'not_in_price_book']);
    // In the book, but not per hour; a spec without its own price falls back to the product's (750.00 per day).
    expect(await ask({ product: ids.part, uom: 'h' })).toEqual([422, 'product', 'no_price']);
    expect((await price(admin, { account: ids.quebec, product: ids.service, spec: ids.weekend, uom: 'day', date: '2026-06-01' })).body.unitPrice).toBe('750.00');
    expect(await ask({ currency: 'XYZ' })).toEqual([422, 'currency', 'unknown_currency']);
    expect(await ask({ uom: 'parsec' })).toEqual([422, 'uom', 'unknown_unit']);
    expect(await ask({ spec: ids.part })).toEqual([422, 'spec', 'unknown_spec']);
    expect(await ask({ quantity: '0' })).toEqual([422, 'quantity', 'out_of_range']);
    expect(await ask({ date: '2026-02-30' })).toEqual([422, 'date', 'invalid_date']);
    const malformed = await price(admin, { account: ids.quebec, product: ids.service, quantity: 'lots' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toContain('quantity');
    expect((await price(admin, { account: ids.quebec, product: ids.service, colour: 'red' })).status).toBe(400);
    expect((await price(admin, { product: ids.service })).status).toBe(400);
  });

  it('answers 404 naming the field for an account or product the caller cannot see, and prices what they can', async () => {
    expect((await admin.request('PUT', '/api/v1/sharing-settings/account', { body: { sharing: 'private' } })).status).toBe(200);
    const rep = await server.createUser();
    const hidden = await price(rep, { account: ids.quebec, product: ids.service, date: '2026-06-01' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.errors).toEqual([expect.objectContaining({ field: 'account', code: 'not_found' })]);
    expect(hidden.text).not.toContain('Hydro');
    const mine = (await buildAccount(rep, { name: 'Rep Account', currency: 'USD' })).id;
    expect((await price(rep, { account: mine, product: ids.service, date: '2026-06-01' })).body.unitPrice).toBe('100.00');
    expect((await price(rep, { account: mine, product: '0190a0a0-0000-7000-8000-000000000000', date: '2026-06-01' })).body.errors[0]).toMatchObject({ field: 'product', code: 'not_found' });
    expect((await admin.request('PUT', '/api/v1/sharing-settings/product', { body: { sharing: 'private' } })).status).toBe(200);
    const product = await price(rep, { account: mine, product: ids.service, date: '2026-06-01' });
    expect([product.status, product.body.errors[0].field]).toEqual([404, 'product']);
  });
});

describe('document totals route', () => {
  it("computes totals with the organisation's rounding, as strings, and refuses numbers where decimals are expected", async () => {
    const res = await admin.request('POST', '/api/v1/billing/totals', {
      body: {
        currency: 'CAD',
        lines: [
          { key: 'a', quantity: '3', unitPrice: '19.99', taxes: [{ id: 'gst', rate: '5' }, { id: 'qst', rate: '9.975', compound: true }] },
          { key: 'b', quantity: '2.5', unitPrice: '80.00', discount: { percent: '10' }, taxes: [{ id: 'gst', rate: '5' }, { id: 'qst', rate: '9.975', compound: true }] },
          { key: 'c', quantity: '1', unitPrice: '10.00', discount: { amount: '1.50' }, taxes: [{ id: 'gst', rate: '5' }] },
        ],
        discount: { amount: '10.00' },
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ rounding: { mode: 'half_up', scope: 'line' }, subtotal: '248.47', documentDiscount: '10.00', taxable: '238.47', taxTotal: '36.05', total: '274.52' });
    const numbers = await admin.request('POST', '/api/v1/billing/totals', { body: { currency: 'USD', lines: [{ quantity: 1, unitPrice: '1.00' }] } });
    expect(numbers.status).toBe(400);
    expect(numbers.body.errors[0].field).toContain('quantity');
    const precision = await admin.request('POST', '/api/v1/billing/totals', { body: { currency: 'JPY', lines: [{ quantity: '1', unitPrice: '1.5' }] } });
    expect([precision.status, precision.body.errors[0]]).toEqual([422, expect.objectContaining({ field: 'lines[0].unitPrice', code: 'precision' })]);
  });

  it("follows the organisation's rounding settings, and a bad setting stops the start naming the variable", async () => {
    const body = { currency: 'USD', lines: [1, 2, 3].map(() => ({ quantity: '1', unitPrice: '0.25', taxes: [{ id: 'vat', rate: '7' }] })) };
    // 7% of 0.25 = 0.0175: per line 0.02 × 3 = 0.06; per document 7% of 0.75 = 0.0525 → 0.05.
    expect((await admin.request('POST', '/api/v1/billing/totals', { body })).body.taxTotal).toBe('0.06');
    overrideSettings(server.platform, billingSettings, { roundingScope: 'document', roundingMode: 'half_even' });
    try {
      const res = await admin.request('POST', '/api/v1/billing/totals', { body });
      expect(res.body).toMatchObject({ rounding: { mode: 'half_even', scope: 'document' }, taxTotal: '0.05' });
      expect(res.body.lines.map((l: { taxTotal: string }) => l.taxTotal)).toEqual(['0.02', '0.02', '0.01']);
    } finally {
      overrideSettings(server.platform, billingSettings, { roundingScope: 'line', roundingMode: 'half_up' });
    }
    expect(() => billingSettings.resolve({ MERIDIAN_ROUNDING_MODE: 'up' })).toThrow(/MERIDIAN_ROUNDING_MODE: must be one of half_up, half_even/);
    expect(() => billingSettings.resolve({ MERIDIAN_CORPORATE_CURRENCY: 'EURO' })).toThrow(/MERIDIAN_CORPORATE_CURRENCY: must be an ISO 4217 currency code/);
    expect(billingSettings.resolve({ MERIDIAN_CORPORATE_CURRENCY: 'cad', MERIDIAN_TAX_ROUNDING: 'document' })).toMatchObject({ corporateCurrency: 'CAD', roundingScope: 'document' });
  });

  it('publishes the corporate currency, the rounding and the minor units', async () => {
    const res = await admin.request('GET', '/api/v1/billing/settings');
    expect(res.body).toMatchObject({ corporateCurrency: 'USD', rounding: { mode: 'half_up', scope: 'line' } });
    expect(res.body.currencies).toEqual(expect.arrayContaining([{ code: 'JPY', minorUnits: 0 }, { code: 'KWD', minorUnits: 3 }]));
  });
});
