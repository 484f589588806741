import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildRecord } from '../factories.ts';
import { systemActor } from '../../src/platform/records/context.ts';
import { refreshExchangeRates, manualRateProvider, type ExchangeRateProvider } from '../../src/modules/billing/index.ts';

/**
 * Exchange rates (PLT-16): entered through the record API or imported from CSV in one
 * transaction, errors naming the CSV line and column; conversion uses the latest rate on or
 * before the date, the inverse of the reverse pair when only that exists, and a missing rate is
 * a 422 naming the pair and the date.
 */
let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

const importCsv = (user: TestUser, csv: string | Buffer, contentType = 'text/csv') =>
  server.app.inject({ method: 'POST', url: '/api/v1/billing/exchange-rates/import', headers: { authorization: `Bearer ${user.token}`, 'content-type': contentType }, payload: csv }).then((r) => ({ status: r.statusCode, body: r.json() }));
const rates = async (pair: string) => {
  const [from, to] = pair.split('/');
  const filter = { and: [{ field: 'from_currency', op: 'eq', value: from }, { field: 'to_currency', op: 'eq', value: to }] };
  const res = await admin.request('GET', `/api/v1/exchange_rate?sort=rate_date&filter=${encodeURIComponent(JSON.stringify(filter))}`);
  return res.body.data.map((r: { rate_date: string; rate: number; source: string }) => [r.rate_date, r.rate, r.source]);
};
const convert = (params: Record<string, string>) => admin.request('GET', `/api/v1/billing/convert?${new URLSearchParams(params).toString()}`);

describe('exchange rates through the record API', () => {
  it('names the rate, and refuses the same currency twice, a rate ≤ 0, too many digits and a second rate for a date and pair', async () => {
    const rate = await buildRecord(admin, 'exchange_rate', { rate_date: '2026-03-02', from_currency: 'GBP', to_currency: 'USD', rate: 1.2651 });
    expect(rate).toMatchObject({ name: 'GBP→USD 2026-03-02', rate: 1.2651, source: 'manual' });
    const refused = async (input: Record<string, unknown>) => {
      const res = await admin.request('POST', '/api/v1/exchange_rate', { body: { rate_date: '2026-03-03', from_currency: 'GBP', to_currency: 'USD', rate: 1.2, ...input } });
      return [res.status, res.body.errors?.[0]?.field, res.body.errors?.[0]?.code];
    };
    expect(await refused({ to_currency: 'GBP' })).toEqual([422, 'to_currency', 'same_currency']);
    expect(await refused({ rate: 0 })).toEqual([422, 'rate', 'out_of_range']);
    expect(await refused({ rate: '1.234567890123456' })).toEqual([422, 'rate', 'precision']);
    expect(await refused({ rate_date: '2026-03-02' })).toEqual([422, 'rate_date', 'duplicate_rate']);
    expect(await refused({ from_currency: 'XXX' })).toEqual([400, 'from_currency', 'invalid_choice']);
  });
});

describe('CSV import', () => {
  it('imports a file (BOM, CRLF, any column order and case) and re-imports it replacing changed rates only', async () => {
    const csv = '\uFEFFRate,Date,From,To\r\n1.0837,2026-04-01,eur,usd\r\n1.0901,2026-04-02,EUR,USD\r\n"0.8571",2026-04-01,USD,CHF\r\n';
    const first = await importCsv(admin, csv);
    expect(first).toEqual({ status: 200, body: { rows: 3, created: 3, updated: 0, unchanged: 0 } });
    expect(await rates('EUR/USD')).toEqual([['2026-04-01', 1.0837, 'import'], ['2026-04-02', 1.0901, 'import']]);
    const second = await importCsv(admin, 'date,from,to,rate\n2026-04-01,EUR,USD,1.0837\n2026-04-02,EUR,USD,1.0899\n');
    expect(second.body).toEqual({ rows: 2, created: 0, updated: 1, unchanged: 1 });
    expect((await rates('EUR/USD'))[1]).toEqual(['2026-04-02', 1.0899, 'import']);
  });

  it('reports every bad row by line and column and imports nothing', async () => {
    const before = await rates('SEK/NOK');
    const csv = ['date,from,to,rate', '2026-04-05,SEK,NOK,0.98', '2026-02-30,SEK,NOK,0.97', '2026-04-06,SEK,XYZ,0.97', '2026-04-07,SEK,NOK,-1', '2026-04-08,SEK,SEK,1', '2026-04-05,SEK,NOK,0.99', '2026-04-09,SEK'].join('\n');
    const res = await importCsv(admin, csv);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual([
      'rows[3].date:invalid_date', 'rows[4].to:unknown_currency', 'rows[5].rate:out_of_range', 'rows[6].to:same_currency', 'rows[7]:duplicate_rate', 'rows[8]:column_count',
    ]);
    expect(await rates('SEK/NOK')).toEqual(before);
  });

  it('rolls back the whole file when the record pipeline refuses a row, naming that row', async () => {
    const rule = await admin.request('POST', '/api/v1/metadata/objects/exchange_rate/validation-rules', {
      body: { name: 'sane_rates', condition: { field: 'rate', op: 'lt', value: 1000 }, message: 'Rates above 1000 need a second look', field: 'rate' },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const res = await importCsv(admin, 'date,from,to,rate\n2026-04-10,DKK,ISK,19.5\n2026-04-10,EUR,ISK,1500\n');
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'rows[3].rate', message: 'Rates above 1000 need a second look' })]);
    expect(await rates('DKK/ISK')).toEqual([]);
    await admin.request('DELETE', `/api/v1/metadata/objects/exchange_rate/validation-rules/${rule.body.id}`);
  });

  it('refuses a bad header, an empty file, a JSON body and bytes that are not UTF-8', async () => {
    const header = await importCsv(admin, 'day,from,to,rate\n2026-04-01,EUR,USD,1\n');
    expect(header.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual(['header:missing_column', 'header:unknown_column']);
    expect((await importCsv(admin, 'date,from,to,rate\n')).body.errors[0].code).toBe('empty');
    expect((await importCsv(admin, '"unclosed,quote\n')).body.errors[0].code).toBe('invalid_csv');
    const json = await admin.request('POST', '/api/v1/billing/exchange-rates/import', { body: { csv: 'date,from,to,rate' } });
    expect(json.status).toBe(400);
    const latin1 = await importCsv(admin, Buffer.from([0x64, 0x61, 0x74, 0x65, 0xe9, 0x0a]));
    expect([latin1.status, latin1.body.errors[0].code]).toEqual([400, 'invalid_encoding']);
  });

  it('writes only with create permission on exchange rates', async () => {
    expect((await admin.request('POST', '/api/v1/profiles', { body: { name: 'no_rates', label: 'No rates', permissions: { default: { read: true, create: true, edit: true, delete: true }, objects: { exchange_rate: { read: true, create: false, edit: false, delete: false } } } } })).status).toBe(201);
    const clerk = await server.createUser();
    await admin.request('PATCH', `/api/v1/user/${clerk.id}`, { body: { profile: 'no_rates' } });
    const res = await importCsv(clerk, 'date,from,to,rate\n2026-04-11,EUR,PLN,4.27\n');
    expect(res.status).toBe(403);
    expect(await rates('EUR/PLN')).toEqual([]);
  });
});

describe('conversion', () => {
  beforeAll(async () => {
    await importCsv(admin, 'date,from,to,rate\n2026-01-01,USD,JPY,150.25\n2026-02-01,USD,JPY,155.5\n2026-01-15,KWD,USD,3.2541\n');
  });

  it('uses the latest rate on or before the date and rounds to the target minor unit', async () => {
    expect((await convert({ amount: '10.00', from: 'USD', to: 'JPY', date: '2026-01-31' })).body).toMatchObject({ amount: '1503', currency: 'JPY', rate: { rate: '150.25', rateDate: '2026-01-01', inverted: false } });
    expect((await convert({ amount: '10.00', from: 'USD', to: 'JPY', date: '2026-02-01' })).body).toMatchObject({ amount: '1555', rate: { rateDate: '2026-02-01' } });
    expect((await convert({ amount: '10', from: 'USD', to: 'USD' })).body).toMatchObject({ amount: '10.00', currency: 'USD', rate: null });
  });

  it('uses the inverse of the reverse pair when only that exists', async () => {
    // 100 USD ÷ 3.2541 = 30.73046…, to KWD's three decimals: 30.730
    const res = await convert({ amount: '100', from: 'USD', to: 'KWD', date: '2026-03-01' });
    expect(res.body).toMatchObject({ amount: '30.730', currency: 'KWD', rate: { inverted: true, rateDate: '2026-01-15' } });
  });

  it('refuses a missing rate with 422 naming the pair and the date, never converting at 1', async () => {
    const res = await convert({ amount: '10', from: 'USD', to: 'JPY', date: '2025-12-31' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ pair: 'USD/JPY', date: '2025-12-31', errors: [{ field: 'currency', code: 'missing_exchange_rate' }] });
    expect(res.body.detail).toContain('USD to JPY on or before 2025-12-31');
    expect((await convert({ amount: '10', from: 'USD', to: 'ABC' })).body.errors[0]).toMatchObject({ field: 'to', code: 'unknown_currency' });
  });
});

describe('rate providers', () => {
  it('saves what a provider answers for a date (replacing that date’s rates); the manual provider answers nothing', async () => {
    const bank: ExchangeRateProvider = { name: 'test-bank', fetchRates: async ({ currencies }) => currencies.map((currency, i) => ({ currency, rate: String(1.1 + i) })) };
    const ctx = { platform: server.platform, actor: systemActor('system') };
    expect(await refreshExchangeRates({ ctx, provider: bank, date: '2026-05-04', base: 'CHF', currencies: ['EUR', 'USD'] })).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(await rates('CHF/USD')).toEqual([['2026-05-04', 2.1, 'provider']]);
    expect(await refreshExchangeRates({ ctx, provider: manualRateProvider, date: '2026-05-04', base: 'CHF', currencies: ['EUR'] })).toEqual({ created: 0, updated: 0, unchanged: 0 });
  });
});
