import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount } from '../factories.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { billingSettings, Decimal } from '../../src/modules/billing/index.ts';
import { QBO_CREDIT_NOTE_COLUMNS, QBO_INVOICE_COLUMNS } from '../../src/modules/invoicing/export/quickbooks.ts';
import { XERO_COLUMNS } from '../../src/modules/invoicing/export/xero.ts';
import { draftInvoice, invoiceCatalogue, run } from './setup.ts';

/**
 * The accounting export (issue 12 item 9): QuickBooks Online and Xero import CSV — headers exactly
 * the layouts, each document's rows adding up to its total to the cent (multi-tax lines, line and
 * document discounts), formula injection neutralised, drafts and invoices the caller cannot see
 * left out — and UBL 2.1 XML: well-formed, sums consistent, credit notes as CreditNote 381, text
 * escaped. Runs on PGlite and on PostgreSQL (DATABASE_URL).
 */
let server: TestServer;
let admin: TestUser;
let ids: Record<string, string>;
const docs: Record<string, any> = {};
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const range = `from=${day(-1)}&to=${day(1)}`;
const SELLER = 'Müller & Söhne <Technik> "GmbH"';
const BUYER = `O'Brien & "Sons" <Ltd>`;

const csv = (text: string): Record<string, string>[] => parse(text, { columns: true, skip_empty_lines: false, bom: true });
const header = (text: string): string[] => (parse(text, { to_line: 1 }) as string[][])[0]!;
const byNumber = (rows: Record<string, string>[], column: string) => {
  const out = new Map<string, Record<string, string>[]>();
  for (const r of rows) out.set(r[column]!, [...(out.get(r[column]!) ?? []), r]);
  return out;
};
const sum = (values: Array<string | undefined>) => values.reduce((s, v) => s.plus(v || '0'), new Decimal(0));
const money = (v: unknown) => new Decimal(String(v)).toFixed(2);

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ids = await invoiceCatalogue(server);
  overrideSettings(server.platform, billingSettings, { companyName: SELLER, companyAddress: '1 Main St|Springfield, IL 62701|USA' });
  const special = (await buildAccount(admin, { name: BUYER, currency: 'USD', email: 'ap@obrien.example', billing_street: '5 Quay <Rd>', billing_city: 'Cork', billing_country: 'IE' })).id;
  // GST + compound QST on every line of the Québec account, line discounts of both kinds, a document discount.
  const a = await draftInvoice(admin, { account: ids.quebec, po_number: 'PO-77', discount_percent: 5 }, [
    { product: ids.service, quantity: 3 },
    { product: ids.part, quantity: 2, discount_percent: 10 },
    { product: ids.part, quantity: 1.5, discount_amount: 1, description: '=HYPERLINK("http://evil.example","click")' },
  ]);
  docs.a = (await run(admin, a.invoice.id, 'post')).body;
  const b = await draftInvoice(admin, { account: special }, [{ product: ids.service, quantity: 2, description: 'Visit & <report>' }, { product: ids.part, quantity: 4 }]);
  docs.b = (await run(admin, b.invoice.id, 'post')).body;
  const credited = await run(admin, docs.b.id, 'credit', { lines: [{ invoiceLine: b.lines[1].id, quantity: 1 }], reason: 'One filter returned' });
  expect(credited.status, credited.text).toBe(200);
  docs.cn = credited.body.creditNote;
  docs.draft = (await draftInvoice(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }])).invoice;
});
afterAll(async () => server?.close());

describe('Xero CSV', () => {
  it('has the template’s columns, one record per line, and each document adds up to its total; credit notes negative', async () => {
    const res = await admin.request('GET', `/api/v1/invoices/export?format=xero&${range}`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="xero-invoices-and-credit-notes-.*\.csv"$/);
    expect(header(res.text)).toEqual([...XERO_COLUMNS]);
    const groups = byNumber(csv(res.text), '*InvoiceNumber');
    expect([...groups.keys()].sort()).toEqual([docs.a.number, docs.b.number, docs.cn.number].sort());
    for (const doc of [docs.a, docs.b, docs.cn]) {
      const rows = groups.get(doc.number)!;
      const sign = doc.kind === 'credit_note' ? -1 : 1;
      // What Xero computes: quantity × unit amount × (1 − discount %), rounded per line, plus the tax amounts.
      const amounts = rows.map((r) => new Decimal(r['*Quantity']!).times(r['*UnitAmount']!).times(new Decimal(1).minus(new Decimal(r.Discount || '0').dividedBy(100))).toDecimalPlaces(2));
      const total = amounts.reduce((s, x) => s.plus(x), new Decimal(0)).plus(sum(rows.map((r) => r.TaxAmount)));
      expect(total.toFixed(2)).toBe(money(sign * doc.total));
      for (const r of rows) {
        expect(r.Total).toBe(money(sign * doc.total));
        expect(r['*AccountCode']).toBe('200');
        expect(r['*InvoiceDate']).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
      }
    }
    const a = groups.get(docs.a.number)!;
    expect(a[0]).toMatchObject({ '*ContactName': 'Hydro Nord', Reference: 'PO-77', POCity: 'Montréal', PORegion: 'QC', Currency: 'USD', '*TaxType': 'GST + QST' });
    expect(a.some((r) => r.Discount === '10')).toBe(true);
    expect(groups.get(docs.cn.number)![0]).toMatchObject({ '*ContactName': BUYER, Reference: docs.b.number, EmailAddress: 'ap@obrien.example' });
    expect(groups.get(docs.cn.number)!.every((r) => r['*Quantity']!.startsWith('-'))).toBe(true);
  });

  it('takes the date range and the kind', async () => {
    const none = await admin.request('GET', `/api/v1/invoices/export?format=xero&from=${day(2)}&to=${day(3)}`);
    expect(none.status).toBe(200);
    expect(csv(none.text)).toEqual([]);
    expect(header(none.text)).toEqual([...XERO_COLUMNS]);
    const notes = csv((await admin.request('GET', `/api/v1/invoices/export?format=xero&${range}&kind=credit_note`)).text);
    expect(new Set(notes.map((r) => r['*InvoiceNumber']))).toEqual(new Set([docs.cn.number]));
    expect((await admin.request('GET', `/api/v1/invoices/export?format=xero&from=${day(1)}&to=${day(-1)}`)).status).toBe(400);
    expect((await admin.request('GET', `/api/v1/invoices/export?format=sage&${range}`)).status).toBe(400);
    expect((await admin.request('GET', `/api/v1/invoices/export?format=xero&from=yesterday&to=${day(1)}`)).status).toBe(400);
  });
});

describe('QuickBooks Online CSV', () => {
  it('exports invoices in the invoice layout: amounts and taxes add up to each total, formulas neutralised, drafts left out', async () => {
    const res = await admin.request('GET', `/api/v1/invoices/export?format=quickbooks&${range}`);
    expect(res.status, res.text).toBe(200);
    expect(header(res.text)).toEqual([...QBO_INVOICE_COLUMNS]);
    const groups = byNumber(csv(res.text), '*InvoiceNo');
    expect([...groups.keys()].sort()).toEqual([docs.a.number, docs.b.number].sort());
    for (const doc of [docs.a, docs.b]) {
      const rows = groups.get(doc.number)!;
      expect(sum(rows.map((r) => r['*ItemAmount'])).plus(sum(rows.map((r) => r.ItemTaxAmount))).toFixed(2)).toBe(money(doc.total));
      for (const r of rows.filter((x) => x.ItemQuantity)) expect(new Decimal(r.ItemQuantity!).times(r.ItemRate!).toDecimalPlaces(2).toFixed(2)).toBe(r['*ItemAmount']);
    }
    const a = groups.get(docs.a.number)!;
    expect(a[0]).toMatchObject({ '*Customer': 'Hydro Nord', Terms: 'Net 15', Memo: 'PO PO-77', Currency: 'USD', '*ItemTaxCode': 'GST + QST' });
    expect(a[0]!['*InvoiceDate']).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    // The discounts are one row per tax code; the formula is text.
    expect(a.filter((r) => r['Item(Product/Service)'] === 'Discount')).toHaveLength(1);
    expect(a.find((r) => r.ItemDescription?.includes('HYPERLINK'))!.ItemDescription).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(res.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    // Negative numbers stay numbers.
    expect(a.find((r) => r['Item(Product/Service)'] === 'Discount')!['*ItemAmount']).toMatch(/^-\d+\.\d{2}$/);
  });

  it('exports credit notes in the credit note layout with positive amounts, and one kind per file', async () => {
    const res = await admin.request('GET', `/api/v1/invoices/export?format=quickbooks&${range}&kind=credit_note`);
    expect(header(res.text)).toEqual([...QBO_CREDIT_NOTE_COLUMNS]);
    const rows = csv(res.text);
    expect(rows.map((r) => r['*CreditNoteNo'])).toEqual([docs.cn.number]);
    expect(rows[0]).toMatchObject({ '*Customer': BUYER, Memo: `Credits ${docs.b.number}; One filter returned` });
    expect(sum(rows.map((r) => r['*ItemAmount'])).plus(sum(rows.map((r) => r.ItemTaxAmount))).toFixed(2)).toBe(money(docs.cn.total));
    const all = await admin.request('GET', `/api/v1/invoices/export?format=quickbooks&${range}&kind=all`);
    expect(all.status).toBe(400);
    expect(all.body.errors[0]).toMatchObject({ field: 'kind', code: 'one_kind_per_file' });
  });
});

describe('UBL 2.1', () => {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => ['cac:InvoiceLine', 'cac:CreditNoteLine', 'cac:TaxSubtotal', 'cac:AllowanceCharge'].includes(name) });
  const amount = (node: any) => new Decimal(String(node['#text']));

  it('is a well-formed Invoice 380 whose sums agree with the invoice', async () => {
    const res = await admin.request('GET', `/api/v1/invoices/${docs.a.id}/ubl`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${docs.a.number}.xml"`);
    const inv = xml.parse(res.text).Invoice;
    expect(inv['cbc:InvoiceTypeCode']).toBe('380');
    expect(inv['cbc:ID']).toBe(docs.a.number);
    expect(inv['cbc:DocumentCurrencyCode']).toBe('USD');
    expect(inv['cbc:CustomizationID']).toContain('peppol');
    expect(inv['cac:OrderReference']['cbc:ID']).toBe('PO-77');
    const lines = inv['cac:InvoiceLine'];
    expect(lines).toHaveLength(3);
    const totals = inv['cac:LegalMonetaryTotal'];
    const lineSum = lines.reduce((s: Decimal, l: any) => s.plus(amount(l['cbc:LineExtensionAmount'])), new Decimal(0));
    expect(amount(totals['cbc:LineExtensionAmount']).toFixed(2)).toBe(lineSum.toFixed(2));
    expect(amount(totals['cbc:TaxExclusiveAmount']).toFixed(2)).toBe(lineSum.minus(amount(totals['cbc:AllowanceTotalAmount'])).toFixed(2));
    expect(amount(totals['cbc:PayableAmount']).toFixed(2)).toBe(money(docs.a.total));
    expect(amount(totals['cbc:TaxInclusiveAmount']).toFixed(2)).toBe(money(docs.a.total));
    expect(totals['cbc:PayableAmount']['@_currencyID']).toBe('USD');
    const tax = inv['cac:TaxTotal'];
    expect(amount(tax['cbc:TaxAmount']).toFixed(2)).toBe(money(docs.a.tax_total));
    const subtotals = tax['cac:TaxSubtotal'];
    expect(subtotals.map((s: any) => s['cac:TaxCategory']['cbc:Percent']).sort()).toEqual(['5', '9.975']);
    expect(subtotals.reduce((s: Decimal, t: any) => s.plus(amount(t['cbc:TaxAmount'])), new Decimal(0)).toFixed(2)).toBe(money(docs.a.tax_total));
    // A line discount is a line allowance; the document discount an allowance on the document.
    expect(amount(inv['cac:AllowanceCharge'][0]['cbc:Amount']).toFixed(2)).toBe(money(docs.a.discount_total));
    expect(lines[0]['cbc:InvoicedQuantity']).toMatchObject({ '#text': '3', '@_unitCode': 'HUR' });
    expect(lines[0]['cac:Item']['cbc:Name']).toBe('Generator inspection');
    expect(lines[2]['cac:Item']['cbc:Description']).toBe('=HYPERLINK("http://evil.example","click")');
    expect(inv['cac:AccountingSupplierParty']['cac:Party']['cac:PartyName']['cbc:Name']).toBe(SELLER);
  });

  it('writes a credit note as CreditNote 381 naming the invoice, with names and descriptions escaped', async () => {
    const res = await admin.request('GET', `/api/v1/invoices/${docs.cn.id}/ubl`);
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('M&#xFC;ller'.replace('&#xFC;', 'ü') + ' &amp; Söhne &lt;Technik&gt;');
    expect(res.text).not.toContain('<Ltd>');
    const note = xml.parse(res.text).CreditNote;
    expect(note['cbc:CreditNoteTypeCode']).toBe('381');
    expect(note['cac:BillingReference']['cac:InvoiceDocumentReference']['cbc:ID']).toBe(docs.b.number);
    expect(note['cac:AccountingCustomerParty']['cac:Party']['cac:PartyName']['cbc:Name']).toBe(BUYER);
    expect(note['cac:AccountingCustomerParty']['cac:Party']['cac:PostalAddress']).toMatchObject({ 'cbc:StreetName': '5 Quay <Rd>', 'cbc:CityName': 'Cork', 'cac:Country': { 'cbc:IdentificationCode': 'IE' } });
    expect(note['cac:CreditNoteLine']).toHaveLength(1);
    expect(amount(note['cac:LegalMonetaryTotal']['cbc:PayableAmount']).toFixed(2)).toBe(money(docs.cn.total));
    const invoice = xml.parse((await admin.request('GET', `/api/v1/invoices/${docs.b.id}/ubl`)).text).Invoice;
    expect(invoice['cac:InvoiceLine'][0]['cac:Item']['cbc:Description']).toBe('Visit & <report>');
  });

  it('refuses drafts (409) and answers 404 for forged ids', async () => {
    const draft = await admin.request('GET', `/api/v1/invoices/${docs.draft.id}/ubl`);
    expect(draft.status).toBe(409);
    expect(draft.body.errors[0].code).toBe('invoice_not_posted');
    expect((await admin.request('GET', '/api/v1/invoices/00000000-0000-7000-8000-000000000000/ubl')).status).toBe(404);
    expect((await admin.request('GET', '/api/v1/invoices/not-an-id/ubl')).status).toBe(404);
  });
});

describe('access', () => {
  it('exports only the invoices the caller can see, and their UBL is a 404 for others', async () => {
    expect((await admin.request('PUT', '/api/v1/sharing-settings/invoice', { body: { sharing: 'private' } })).status).toBe(200);
    const rep = await server.createUser();
    const own = await draftInvoice(rep, { account: ids.plain }, [{ product: ids.part, quantity: 2 }]);
    const posted = await run(rep, own.invoice.id, 'post');
    expect(posted.status, posted.text).toBe(200);
    const rows = csv((await rep.request('GET', `/api/v1/invoices/export?format=xero&${range}`)).text);
    expect(new Set(rows.map((r) => r['*InvoiceNumber']))).toEqual(new Set([posted.body.number]));
    expect((await rep.request('GET', `/api/v1/invoices/${docs.a.id}/ubl`)).status).toBe(404);
    expect((await rep.request('GET', `/api/v1/invoices/${own.invoice.id}/ubl`)).status).toBe(200);
    // The administrator still exports everything.
    const all = csv((await admin.request('GET', `/api/v1/invoices/export?format=xero&${range}`)).text);
    expect(new Set(all.map((r) => r['*InvoiceNumber'])).size).toBe(4);
  });
});
