import PDFDocument from 'pdfkit';
import { documentFonts } from './fonts.ts';
import { FONT, drawLinesTable } from './table.ts';
import type { QuoteDocumentView } from './view.ts';

import { drawPageFooters } from '../../documents/pdf.ts';

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 50;
/** Space kept free at the bottom of every page for the footer. */
const FOOTER = 40;

/**
 * The quote PDF from its view (build.ts): letterhead, customer and facts, the lines table,
 * totals with the tax per rate, terms, the signature block and "Page N of M" on every page.
 * Pages are buffered so the footers can be written once the page count is known. The same view
 * gives the same bytes (the creation date is the quote's last change, fonts are subset the same way).
 */
export function drawQuotePdf(view: QuoteDocumentView): Promise<Buffer> {
  return drawDocumentPdf(view, drawSignature);
}

/** What a document prints after its totals and terms: a quote's signature block, an invoice's payment instructions. */
export type DocumentClosing = (doc: Doc, view: QuoteDocumentView, top: number, layout: { ensureRoom: typeof ensureRoom; width: number }) => void;

/** Any priced document drawn like a quote (letterhead, parties, lines, totals, terms, footers), closed by its own block. */
export async function drawDocumentPdf(view: QuoteDocumentView, closing: DocumentClosing): Promise<Buffer> {
  const doc = new PDFDocument({
    size: view.paper,
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER },
    bufferPages: true,
    lang: view.locale,
    info: { Title: view.info.title, Author: view.info.author, Subject: view.info.subject, Creator: 'Meridian', Producer: 'Meridian', CreationDate: view.info.created, ModDate: view.info.created },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const fonts = documentFonts();
  doc.registerFont(FONT.regular, fonts.regular);
  doc.registerFont(FONT.bold, fonts.bold);

  let y = drawLetterhead(doc, view);
  y = drawParties(doc, view, y + 16);
  y = drawLinesTable(doc, view, y + 16);
  y = drawTotals(doc, view, y + 12);
  y = drawTerms(doc, view, y + 18);
  closing(doc, view, y + 18, { ensureRoom, width: width(doc) });
  drawFooters(doc, view);
  doc.end();
  return done;
}

const width = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const bottom = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** A new page when `needed` points do not fit below y; answers where to continue. */
function ensureRoom(doc: Doc, y: number, needed: number): number {
  if (y + needed <= bottom(doc)) return y;
  doc.addPage();
  return doc.page.margins.top;
}

/** Logo on the left, the company's name and address on the right, then the heading. */
function drawLetterhead(doc: Doc, view: QuoteDocumentView): number {
  const left = doc.page.margins.left;
  const top = doc.page.margins.top;
  let logoBottom = top;
  if (view.company.logo) {
    doc.image(view.company.logo, left, top, { fit: [150, 50] });
    logoBottom = top + 50;
  }
  const right = left + width(doc) / 2;
  const half = width(doc) / 2;
  doc.font(FONT.bold).fontSize(12).fillColor('#000000').text(view.company.name, right, top, { width: half, align: 'right' });
  doc.font(FONT.regular).fontSize(8.5).fillColor('#444444');
  for (const line of view.company.addressLines) doc.text(line, right, doc.y, { width: half, align: 'right' });
  doc.fillColor('#000000');
  let y = Math.max(doc.y, logoBottom) + 18;
  doc.font(FONT.bold).fontSize(20).text(view.heading.title, left, y, { width: width(doc) });
  doc.font(FONT.regular).fontSize(11).text(view.heading.number, left, doc.y, { width: width(doc) });
  if (view.heading.subject) doc.fontSize(10).fillColor('#444444').text(view.heading.subject, left, doc.y, { width: width(doc) }).fillColor('#000000');
  y = doc.y;
  return y;
}

/** The customer on the left, the quote's facts (date, validity, currency, who prepared it) on the right. */
function drawParties(doc: Doc, view: QuoteDocumentView, top: number): number {
  const left = doc.page.margins.left;
  const half = width(doc) / 2 - 10;
  doc.font(FONT.bold).fontSize(8).fillColor('#555555').text(view.labels.billTo.toUpperCase(), left, top, { width: half });
  doc.fillColor('#000000').fontSize(10).text(view.customer.name, left, doc.y, { width: half });
  doc.font(FONT.regular).fontSize(9);
  if (view.customer.attention) doc.text(view.customer.attention, left, doc.y, { width: half });
  for (const line of view.customer.addressLines) doc.text(line, left, doc.y, { width: half });
  const leftEnd = doc.y;

  const x = left + width(doc) / 2 + 10;
  let y = top;
  for (const fact of view.facts) {
    doc.font(FONT.bold).fontSize(8.5).text(fact.label, x, y, { width: 80 });
    doc.font(FONT.regular).text(fact.value, x + 84, y, { width: half - 84 });
    y = Math.max(doc.y, y + 12);
  }
  return Math.max(leftEnd, y);
}

/** Right-aligned label/amount pairs; the total in bold under a rule. Kept together on one page. */
function drawTotals(doc: Doc, view: QuoteDocumentView, top: number): number {
  const rowHeight = 14;
  let y = ensureRoom(doc, top, view.totals.length * rowHeight + 24);
  const boxWidth = 270;
  const x = doc.page.margins.left + width(doc) - boxWidth;
  for (const row of view.totals) {
    if (row.strong) {
      doc.moveTo(x, y + 1).lineTo(x + boxWidth, y + 1).lineWidth(0.8).strokeColor('#000000').stroke();
      y += 4;
    }
    doc.font(row.strong ? FONT.bold : FONT.regular).fontSize(row.strong ? 11 : 9);
    doc.text(row.label, x, y, { width: boxWidth - 110, lineBreak: false });
    doc.text(row.value, x + boxWidth - 110, y, { width: 110, align: 'right', lineBreak: false });
    y += row.strong ? rowHeight + 3 : rowHeight;
  }
  if (view.totalsNote) {
    doc.font(FONT.regular).fontSize(8).fillColor('#555555').text(view.totalsNote, x, y, { width: boxWidth, align: 'right' }).fillColor('#000000');
    y = doc.y;
  }
  return y;
}

/** The terms, flowing over pages when long (pdfkit continues the text on a new page). */
function drawTerms(doc: Doc, view: QuoteDocumentView, top: number): number {
  if (!view.terms) return top;
  const left = doc.page.margins.left;
  const y = ensureRoom(doc, top, 40);
  doc.font(FONT.bold).fontSize(10).text(view.labels.terms, left, y, { width: width(doc) });
  doc.font(FONT.regular).fontSize(8.5).text(view.terms, left, doc.y + 2, { width: width(doc) });
  return doc.y;
}

/** "Accepted by … on …" once accepted; else lines for the customer's name, signature and date. */
function drawSignature(doc: Doc, view: QuoteDocumentView, top: number): void {
  const left = doc.page.margins.left;
  let y = ensureRoom(doc, top, 80);
  doc.font(FONT.bold).fontSize(10).text(view.labels.acceptance, left, y, { width: width(doc) });
  y = doc.y + 6;
  if (view.accepted) {
    doc.font(FONT.regular).fontSize(9.5).text(view.accepted, left, y, { width: width(doc) });
    return;
  }
  const fields = [view.labels.signatureFields.name, view.labels.signatureFields.signature, view.labels.signatureFields.date];
  const gap = 20;
  const each = (width(doc) - gap * (fields.length - 1)) / fields.length;
  y += 30;
  fields.forEach((label, i) => {
    const x = left + i * (each + gap);
    doc.moveTo(x, y).lineTo(x + each, y).lineWidth(0.6).strokeColor('#000000').stroke();
    doc.font(FONT.regular).fontSize(8).fillColor('#555555').text(label, x, y + 3, { width: each, lineBreak: false }).fillColor('#000000');
  });
}

/** "Page N of M" and the quote's number on every page, written once the page count is known. */
function drawFooters(doc: Doc, view: QuoteDocumentView): void {
  drawPageFooters(doc, {
    font: FONT.regular, color: '#555555', y: (d) => d.page.height - MARGIN - 10,
    left: `${view.company.name} · ${view.heading.title} ${view.heading.number}`,
    right: (n, m) => view.labels.page.replace('{n}', String(n)).replace('{m}', String(m)),
  });
}
