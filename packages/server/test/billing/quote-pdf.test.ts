import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createRequire } from 'node:module';
import { overrideSettings } from '../../src/platform/settings.ts';
import { billingSettings } from '../../src/modules/billing/settings.ts';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact, buildRecord } from '../factories.ts';

/**
 * The quote PDF (issue 11 item 8) read back with an independent parser (pdfjs-dist): the totals
 * printed are the API's, formatted in the customer's locale; accented and Cyrillic names print
 * (the embedded Noto Sans); long quotes run over pages with the table header on each and
 * "Page N of M"; access applies (a quote you cannot see is a 404).
 */
let server: TestServer;
let admin: TestUser;
const ids: Record<string, string> = {};

/** Each page's text; runs of white space (line ends, the no-break spaces Intl puts in amounts) as one space. */
async function pdfText(pdf: Buffer): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : ' ') : '')).join('').replace(/\s+/g, ' '));
  }
  await doc.destroy();
  return pages;
}
const spaces = (s: string) => s.replace(/[\u00a0\u202f ]+/g, ' ');
const money = (locale: string, currency: string, value: number) =>
  spaces(new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value));

const unitId = async (code: string) => {
  const res = await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: code }))}`);
  return res.body.data[0].id as string;
};
const newQuote = async (quote: Record<string, unknown>, lines: Array<Record<string, unknown>>) => {
  const res = await admin.request('POST', '/api/v1/quotes', { body: { quote, lines } });
  expect(res.status, res.text).toBe(201);
  return res.body as { quote: any; lines: any[] };
};
const fetchPdf = async (user: TestUser, id: string) => {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/quotes/${id}/pdf`, headers: { authorization: `Bearer ${user.token}` } });
  return { status: res.statusCode, headers: res.headers, pdf: res.rawPayload };
};

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ids.hour = await unitId('h');
  ids.each = await unitId('each');
  ids.service = (await buildRecord(admin, 'product', { code: 'SVC-INSPECT', name: 'Generator inspection', type: 'service', unit_of_measure: ids.hour })).id;
  ids.part = (await buildRecord(admin, 'product', { code: 'PRT-FILTER', name: 'Oil filter', type: 'part', unit_of_measure: ids.each })).id;
  ids.usd = (await buildRecord(admin, 'price_book', { name: 'Standard USD', currency: 'USD', is_standard: true })).id;
  ids.eur = (await buildRecord(admin, 'price_book', { name: 'Standard EUR', currency: 'EUR', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: ids.usd, product: ids.service, unit_price: '1234.56' });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.usd, product: ids.part, unit_price: '12.50' });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.eur, product: ids.service, unit_price: '1234.56' });
  await buildRecord(admin, 'tax_rate', { name: 'GST', rate: 5, region: 'CA' });
  await buildRecord(admin, 'tax_rate', { name: 'QST', rate: 9.975, region: 'QC', compound: true });
  ids.quebec = (await buildAccount(admin, {
    name: 'Дмитрий Энергия', currency: 'USD', billing_street: '1200 Rue Saint-Jacques', billing_city: 'Montréal', billing_state: 'QC', billing_postal_code: 'H3C 1A1', billing_country: 'CA',
  })).id;
  ids.zoe = (await buildContact(admin, { first_name: 'Zoë', last_name: 'Ångström', account: ids.quebec })).id;
  ids.berlin = (await buildAccount(admin, { name: 'Stadtwerke Süd', currency: 'EUR', document_locale: 'de-DE', billing_street: 'Hauptstraße 5', billing_city: 'Berlin', billing_postal_code: '10115', billing_country: 'DE' })).id;
});
afterAll(async () => server?.close());

describe('the quote PDF', () => {
  it('prints the API’s totals and tax per rate in the customer’s locale, with accented and Cyrillic names', async () => {
    const { quote } = await newQuote(
      { account: ids.quebec, contact: ids.zoe, title: 'Standby inspection', discount_percent: 10, terms_text: 'Payment within 30 days. Prices firm until the validity date.', valid_until: '2026-12-31' },
      [{ product: ids.service, quantity: 3, description: 'Annual inspection of the standby generator, including the load test and a written report.' }, { product: ids.part, quantity: 2, discount_percent: 5 }],
    );
    const api = (await admin.request('GET', `/api/v1/quotes/${quote.id}`)).body.quote;
    const res = await fetchPdf(admin, quote.id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="${api.name}.pdf"`);
    const [text, ...rest] = await pdfText(res.pdf);
    expect(rest).toEqual([]);
    for (const value of [api.subtotal, api.taxable, api.tax_total, api.total]) expect(text).toContain(money('en-US', 'USD', value));
    expect(text).toContain(money('en-US', 'USD', -api.discount_total));
    expect(text).toMatch(/GST 5% \$[\d,.]+/);
    expect(text).toMatch(/QST 9\.975% \$[\d,.]+/);
    // The tax per rate adds up to the stored tax total.
    const rate = (name: string) => Number(text.match(new RegExp(`${name} [\\d.]+% \\$([\\d,.]+)`))![1]!.replace(/,/g, ''));
    expect(Math.round((rate('GST') + rate('QST')) * 100)).toBe(Math.round(api.tax_total * 100));
    expect(text).toContain('Zoë Ångström');
    expect(text).toContain('Дмитрий Энергия');
    expect(text).toContain('Montréal, QC H3C 1A1');
    expect(text).toContain('December 31, 2026');
    expect(text).toContain('Payment within 30 days.');
    expect(text).toContain('Signature');
    expect(text).toContain('Page 1 of 1');
    // The same version gives the same bytes (the accepted version's PDF is sealed by its SHA-256).
    expect((await fetchPdf(admin, quote.id)).pdf.equals(res.pdf)).toBe(true);
  });

  it('runs a 200-line quote over pages, the table header and "Page N of M" on each, rows whole', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => ({
      product: i % 2 ? ids.part : ids.service, quantity: 1 + (i % 7),
      description: i % 10 === 0 ? `Line ${i + 1}: a long description that wraps over several lines of the item column, so that row heights differ from page to page and a row must move to the next page whole.` : `Line ${i + 1}`,
    }));
    const { quote } = await newQuote({ account: ids.quebec }, lines);
    const api = (await admin.request('GET', `/api/v1/quotes/${quote.id}`)).body.quote;
    const pages = await pdfText((await fetchPdf(admin, quote.id)).pdf);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
      if (i < pages.length - 1 || page.includes('Line 200')) expect(page).toMatch(/# Item Qty Unit Unit price Amount/);
    });
    // Every line once, and its label and description on the same page.
    for (let n = 1; n <= 200; n++) expect(pages.filter((p) => new RegExp(`Line ${n}\\b`).test(p))).toHaveLength(1);
    for (let n = 1; n <= 200; n += 10) expect(pages.some((p) => p.includes(lines[n - 1]!.description))).toBe(true);
    expect(pages.at(-1)).toContain(money('en-US', 'USD', api.total));
  }, 120_000);

  it('writes numbers, amounts and dates the German way for a de-DE customer', async () => {
    const { quote } = await newQuote({ account: ids.berlin, valid_until: '2026-12-31' }, [{ product: ids.service, quantity: 1 }]);
    const api = (await admin.request('GET', `/api/v1/quotes/${quote.id}`)).body.quote;
    expect(api.total).toBe(1234.56);
    const [text] = await pdfText((await fetchPdf(admin, quote.id)).pdf);
    expect(text).toContain('1.234,56 €');
    expect(text).toContain(money('de-DE', 'EUR', api.total));
    expect(text).toContain('31. Dezember 2026');
    expect(text).toContain('10115 Berlin');
    expect(text).toContain('Stadtwerke Süd');
  });

  it('says who accepted the quote and when', async () => {
    const { quote } = await newQuote({ account: ids.quebec, contact: ids.zoe }, [{ product: ids.part, quantity: 1 }]);
    expect((await admin.request('POST', `/api/v1/quotes/${quote.id}/send`, { body: {} })).status).toBe(200);
    const accepted = await admin.request('POST', `/api/v1/quotes/${quote.id}/accept-internal`, { body: { signerName: 'Zoë Ångström' } });
    expect(accepted.status, accepted.text).toBe(200);
    const on = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(accepted.body.quote.answered_at));
    const [text] = await pdfText((await fetchPdf(admin, quote.id)).pdf);
    expect(text).toContain(`Accepted by Zoë Ångström on ${on}`);
    expect(text).not.toContain('Signature');
  });

  it('prints the organisation’s name, address and logo from the settings', async () => {
    const before = billingSettings.of(server.platform);
    // Any PNG will do: the font package ships a preview image of the font.
    const logo = createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf.png');
    overrideSettings(server.platform, billingSettings, { companyName: 'Nordlicht Energie GmbH', companyAddress: 'Hafenstraße 1|20457 Hamburg|Deutschland', companyLogo: logo });
    try {
      const { quote } = await newQuote({ account: ids.berlin }, [{ product: ids.service, quantity: 2 }]);
      const { pdf } = await fetchPdf(admin, quote.id);
      const [text] = await pdfText(pdf);
      expect(text).toContain('Nordlicht Energie GmbH Hafenstraße 1 20457 Hamburg Deutschland');
      expect(text).toContain('2.469,12 €');
      expect(pdf.toString('latin1')).toMatch(/\/Subtype \/Image/);
    } finally {
      overrideSettings(server.platform, billingSettings, before);
    }
  });

  it('is a 404 for a user who cannot read the quote, and for a quote that does not exist', async () => {
    const { quote } = await newQuote({ account: ids.quebec }, [{ product: ids.part, quantity: 1 }]);
    const other = await server.createUser();
    for (const o of ['quote', 'account']) await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } });
    try {
      const res = await fetchPdf(other, quote.id);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    } finally {
      for (const o of ['quote', 'account']) await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'public_read_write' } });
    }
    expect((await fetchPdf(other, quote.id)).status).toBe(200);
    expect((await fetchPdf(admin, '01890000-0000-7000-8000-000000000000')).status).toBe(404);
  });
});
