import { describe, expect, it } from 'vitest';
import { buildQuoteDocument, type QuoteDocumentInput } from './build.ts';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { documentFormat } from './format.ts';
import { drawQuotePdf } from './draw.ts';
import { quotePdfFileName } from './render.ts';
import { parseDocumentLocale } from './settings.ts';

/** The quote document's view without a database: formatting, the tax breakdown and its fallback. */
const gst = JSON.stringify([{ id: 'gst', name: 'GST', rate: '5', compound: false }, { id: 'qst', name: 'QST', rate: '9.975', compound: true }]);
const input = (quote: Record<string, unknown>, overrides: Partial<QuoteDocumentInput> = {}): QuoteDocumentInput => ({
  quote: {
    id: 'q1', name: 'Q-2026-00042 v2', status: 'draft', currency: 'CAD', rounding: 'half_up/line', subtotal: 300, discount_total: 0, taxable: 300,
    tax_total: 46.42, total: 346.42, updated_at: '2026-05-17T10:00:00.000Z', price_date: '2026-05-17', valid_until: '2026-06-16', ...quote,
  },
  lines: [{ id: 'l1', product: 'p1', unit_of_measure: 'u1', quantity: 3, unit_price: 100, net: 300, taxes: gst, selected: true, description: 'Inspection' }],
  names: new Map([['p1', 'Inspection'], ['u1', 'Hour']]),
  account: { name: 'Hydro Nord', billing_city: 'Montréal', billing_state: 'QC', billing_postal_code: 'H3C 1A1', billing_country: 'Canada' },
  contact: null,
  organisation: { name: 'Northwind', address: '1 Main St|Springfield', logo: null },
  preparedBy: null,
  locale: 'en-CA',
  timeZone: 'UTC',
  rounding: { mode: 'half_up', scope: 'line' },
  ...overrides,
});

describe('the quote document view', () => {
  it('breaks the tax down per rate when the kernel reproduces the stored tax, and formats for the locale', () => {
    const view = buildQuoteDocument(input({}));
    expect(view.totals.map((t) => [t.label, t.value])).toEqual([
      ['Subtotal', '$300.00'], ['Net total', '$300.00'], ['GST 5%', '$15.00'], ['QST 9.975%', '$31.42'], ['Total tax', '$46.42'], ['Total', '$346.42'],
    ]);
    expect(view.customer.addressLines).toEqual(['Montréal, QC H3C 1A1', 'Canada']);
    expect(view.company.addressLines).toEqual(['1 Main St', 'Springfield']);
    expect(view.lines[0]).toMatchObject({ name: 'Inspection', description: null, quantity: '3', unit: 'Hour', unitPrice: '$100.00', amount: '$300.00' });
    expect(view.paper).toBe('LETTER');
    expect(view.info.created.toISOString()).toBe('2026-05-17T10:00:00.000Z');
  });

  it('prints the stored tax as one line when the breakdown would not add up to it', () => {
    const view = buildQuoteDocument(input({ tax_total: 46.41, total: 346.41 }));
    expect(view.totals.map((t) => t.label)).toEqual(['Subtotal', 'Net total', 'Tax', 'Total']);
    expect(view.totals.find((t) => t.label === 'Tax')!.value).toBe('$46.41');
  });

  it('says who accepted and when, in the locale', () => {
    const view = buildQuoteDocument(input({ status: 'accepted', accepted_by_name: 'Zoë Ångström', answered_at: '2026-05-20T23:30:00Z' }, { locale: 'de-DE', timeZone: 'Europe/Berlin' }));
    expect(view.accepted).toBe('Accepted by Zoë Ångström on 21. Mai 2026');
    expect(view.paper).toBe('A4');
  });
});

describe('drawing', () => {
  it('keeps a description longer than a page on its row (cut with an ellipsis) and the footer clear', async () => {
    const long = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const view = buildQuoteDocument(input({}, { lines: [{ id: 'l1', product: 'p1', quantity: 1, unit_price: 300, net: 300, description: long }] }));
    const doc = await getDocument({ data: new Uint8Array(await drawQuotePdf(view)) }).promise;
    const texts: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) texts.push((await (await doc.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' '));
    expect(doc.numPages).toBeLessThanOrEqual(3);
    expect(texts.join(' ')).toContain('…');
    expect(texts.join(' ')).not.toContain('word899');
    texts.forEach((t, i) => expect(t).toContain(`Page ${i + 1} of ${doc.numPages}`));
    await doc.destroy();
  });
});

describe('document formats', () => {
  it('writes amounts exactly with the currency’s minor digits', () => {
    expect(documentFormat('en-US', 'JPY').money('1235')).toBe('¥1,235');
    expect(documentFormat('en-US', 'KWD').money(1.25).replace(/\s/g, ' ')).toBe('KWD 1.250');
    expect(documentFormat('de-DE', 'EUR').money('1234567890123.45').replace(/\s/g, ' ')).toBe('1.234.567.890.123,45 €');
    expect(documentFormat('de-DE', 'EUR').quantity(2.5)).toBe('2,5');
    expect(documentFormat('fr-FR', 'EUR').percent('9.975').replace(/\s/g, ' ')).toBe('9,975 %');
  });

  it('names files with safe characters only, and refuses locales it cannot format', () => {
    expect(quotePdfFileName('Q-2026-00042 v2')).toBe('Q-2026-00042-v2.pdf');
    expect(quotePdfFileName('../Ångebot "7"')).toBe('Angebot-7.pdf');
    expect(parseDocumentLocale(' de-de ')).toBe('de-DE');
    expect(() => parseDocumentLocale('not a locale!')).toThrow();
  });
});
