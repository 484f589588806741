import PDFDocument from 'pdfkit';
import { documentFonts, drawPageFooters, drawQrCode as drawDocumentQrCode } from '../../billing/index.ts';
import type { JobTicketLine, JobTicketView } from './view.ts';

type Doc = InstanceType<typeof PDFDocument>;
const REGULAR = 'Ticket';
const BOLD = 'Ticket-Bold';
const MARGIN = 40;
const FOOTER = 28;
const QR = 92;
const PAD = 4;
const GREY = '#555555';

interface Column { key: 'position' | 'item' | 'quantity' | 'due' | 'team'; label: string; width: number; align: 'left' | 'right' }

/**
 * Draws the job ticket (A4, Noto Sans embedded like billing's documents): the order number large
 * with a QR code of it beside, the customer's facts and ship-to, then one block per line — the
 * product and spec, quantity and unit, due date and team, and the production requirements in a
 * shaded box under them. A line is never split over pages (one longer than a page is clipped with
 * "…"); the table header repeats on every page, and "Page N of M" closes each.
 */
export function drawJobTicket(view: JobTicketView): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER },
    bufferPages: true,
    lang: view.locale,
    info: { Title: `Job ticket ${view.number}`, Subject: 'Job ticket', Creator: 'Meridian', Producer: 'Meridian', CreationDate: view.created, ModDate: view.created },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const fonts = documentFonts();
  doc.registerFont(REGULAR, fonts.regular);
  doc.registerFont(BOLD, fonts.bold);

  let y = drawHeading(doc, view);
  y = drawLines(doc, view, y + 14);
  drawFooters(doc, view);
  doc.end();
  return done;
}

const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const pageBottom = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** "JOB TICKET", the number, the facts and ship-to on the left; the QR code on the right. */
function drawHeading(doc: Doc, view: JobTicketView): number {
  const left = doc.page.margins.left;
  const top = doc.page.margins.top;
  const width = contentWidth(doc) - QR - 16;
  drawQrCode(doc, view.number, left + contentWidth(doc) - QR, top);
  doc.font(BOLD).fontSize(10).fillColor(GREY).text('JOB TICKET', left, top, { width });
  doc.fillColor('#000000').fontSize(30).text(view.number, left, doc.y + 2, { width });
  let y = doc.y + 8;
  for (const fact of view.facts) {
    doc.font(BOLD).fontSize(9).text(fact.label, left, y, { width: 80 });
    doc.font(REGULAR).fontSize(10).text(fact.value, left + 84, y - 1, { width: width - 84 });
    y = Math.max(doc.y, y + 13) + 1;
  }
  const blocks = [{ label: 'Ship to', text: view.shipTo }, { label: 'Notes', text: view.notes }].filter((b) => b.text);
  for (const block of blocks) {
    doc.font(BOLD).fontSize(9).text(block.label, left, y + 4, { width: 80 });
    // Beside the QR code while level with it, across the page below it.
    doc.font(REGULAR).fontSize(10).text(block.text, left + 84, y + 3, { width: (y < top + QR ? width : contentWidth(doc)) - 84 });
    y = doc.y + 1;
  }
  return Math.max(y, top + QR);
}

/** The order number's QR code (billing's drawQrCode, exported here for the ticket's test). */
export function drawQrCode(doc: Doc, value: string, x: number, y: number, size = QR): void {
  drawDocumentQrCode(doc, value, x, y, size);
}

function columns(doc: Doc): Column[] {
  const cols: Column[] = [
    { key: 'position', label: '#', width: 26, align: 'left' },
    { key: 'item', label: 'Product / spec', width: 0, align: 'left' },
    { key: 'quantity', label: 'Quantity', width: 86, align: 'right' },
    { key: 'due', label: 'Due', width: 92, align: 'left' },
    { key: 'team', label: 'Team', width: 100, align: 'left' },
  ];
  cols[1]!.width = contentWidth(doc) - cols.reduce((s, c) => s + c.width, 0);
  return cols;
}

function drawTableHeader(doc: Doc, cols: Column[], top: number): number {
  const left = doc.page.margins.left;
  const height = 18;
  doc.rect(left, top, contentWidth(doc), height).fillColor('#e8e8e8').fill();
  doc.fillColor('#000000').font(BOLD).fontSize(8.5);
  let x = left;
  for (const c of cols) {
    doc.text(c.label, x + PAD, top + 5, { width: c.width - 2 * PAD, align: c.align, lineBreak: false });
    x += c.width;
  }
  return top + height;
}

/** The item column's text: product, spec, description. */
const itemParts = (line: JobTicketLine) => [
  { font: BOLD, size: 10.5, text: line.product || ' ', color: '#000000' },
  ...(line.spec ? [{ font: REGULAR, size: 9.5, text: `Spec: ${line.spec}`, color: '#000000' }] : []),
  ...(line.description ? [{ font: REGULAR, size: 8.5, text: line.description, color: GREY }] : []),
];

function blockHeight(doc: Doc, line: JobTicketLine, cols: Column[]): { top: number; requirements: number } {
  const itemWidth = cols[1]!.width - 2 * PAD;
  let top = 0;
  for (const part of itemParts(line)) top += doc.font(part.font).fontSize(part.size).heightOfString(part.text, { width: itemWidth });
  const requirements = line.requirements ? doc.font(REGULAR).fontSize(10).heightOfString(line.requirements, { width: requirementsWidth(doc, cols) }) + 2 * PAD + 12 : 0;
  return { top: Math.max(top, 14) + 2 * PAD, requirements };
}

const requirementsWidth = (doc: Doc, cols: Column[]) => contentWidth(doc) - cols[0]!.width - 2 * PAD - 2 * PAD;

function drawLines(doc: Doc, view: JobTicketView, start: number): number {
  const cols = columns(doc);
  const left = doc.page.margins.left;
  let y = drawTableHeader(doc, cols, start);
  if (!view.lines.length) {
    doc.font(REGULAR).fontSize(10).fillColor(GREY).text('This order has no lines.', left + PAD, y + PAD).fillColor('#000000');
    return doc.y;
  }
  for (const line of view.lines) {
    const { top, requirements } = blockHeight(doc, line, cols);
    const room = pageBottom(doc) - doc.page.margins.top - 18;
    const height = Math.min(top + requirements + PAD, room);
    if (y + height > pageBottom(doc)) {
      doc.addPage();
      y = drawTableHeader(doc, cols, doc.page.margins.top);
    }
    drawBlock(doc, line, cols, y, top, height);
    y += height;
    doc.moveTo(left, y).lineTo(left + contentWidth(doc), y).lineWidth(0.5).strokeColor('#999999').stroke();
  }
  return y;
}

function drawBlock(doc: Doc, line: JobTicketLine, cols: Column[], y: number, topHeight: number, height: number): void {
  let x = doc.page.margins.left;
  const bottom = y + height - PAD;
  for (const c of cols) {
    const width = c.width - 2 * PAD;
    if (c.key === 'item') {
      let ty = y + PAD;
      for (const part of itemParts(line)) {
        if (bottom - ty <= 0) break;
        doc.font(part.font).fontSize(part.size).fillColor(part.color).text(part.text, x + PAD, ty, { width, height: bottom - ty, ellipsis: true });
        ty = doc.y;
      }
      doc.fillColor('#000000');
    } else {
      const value = c.key === 'quantity' ? [line.quantity, line.unit].filter(Boolean).join(' ') : line[c.key];
      doc.font(c.key === 'quantity' || c.key === 'position' ? BOLD : REGULAR).fontSize(c.key === 'quantity' ? 11 : 9.5).text(value, x + PAD, y + PAD, { width, align: c.align, height: topHeight, ellipsis: true });
    }
    x += c.width;
  }
  if (!line.requirements || y + topHeight + 12 >= bottom) return;
  const boxX = doc.page.margins.left + cols[0]!.width;
  const boxWidth = contentWidth(doc) - cols[0]!.width;
  const boxTop = y + topHeight;
  doc.rect(boxX, boxTop, boxWidth, bottom - boxTop).fillColor('#f3f3f3').fill();
  doc.fillColor(GREY).font(BOLD).fontSize(7.5).text('PRODUCTION REQUIREMENTS', boxX + PAD, boxTop + PAD, { width: boxWidth - 2 * PAD, lineBreak: false });
  doc.fillColor('#000000').font(REGULAR).fontSize(10).text(line.requirements, boxX + PAD, boxTop + PAD + 11, { width: requirementsWidth(doc, cols), height: Math.max(bottom - boxTop - PAD - 11, 1), ellipsis: true });
}

/** "Job ticket SO-… · company" and "Page N of M" on every page, written once the page count is known. */
function drawFooters(doc: Doc, view: JobTicketView): void {
  drawPageFooters(doc, {
    font: REGULAR, color: GREY, y: (d) => d.page.height - MARGIN - 10,
    left: `Job ticket ${view.number}${view.company ? ` · ${view.company}` : ''}`,
    right: (n, m) => `Page ${n} of ${m}`,
  });
}
