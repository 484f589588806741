import type PDFDocument from 'pdfkit';
import type { QuoteDocumentLine, QuoteDocumentView } from './view.ts';

type Doc = InstanceType<typeof PDFDocument>;
type Key = keyof QuoteDocumentView['labels']['columns'];
interface Column { key: Key; width: number; align: 'left' | 'right' }

export const FONT = { regular: 'Noto', bold: 'Noto-Bold' } as const;
const PAD = 4;
const SIZE = 9;
const SMALL = 8;
const GREY = '#555555';

/**
 * The lines table: its header at the top of every page it runs over, rows kept whole (a row
 * that does not fit goes to the next page), long descriptions wrapped in the item column.
 * Starts at `top`; answers the y where the table ended.
 */
export function drawLinesTable(doc: Doc, view: QuoteDocumentView, top: number): number {
  const columns = layout(doc, view);
  const left = doc.page.margins.left;
  let y = drawHeader(doc, view, columns, top);
  for (const line of view.lines) {
    const bottom = doc.page.height - doc.page.margins.bottom;
    const room = bottom - doc.page.margins.top - headerHeight();
    const height = Math.min(rowHeight(doc, line, columns), room);
    if (y + height > bottom) {
      doc.addPage();
      y = drawHeader(doc, view, columns, doc.page.margins.top);
    }
    drawRow(doc, line, columns, left, y, height);
    y += height;
    doc.moveTo(left, y).lineTo(left + tableWidth(doc), y).lineWidth(0.3).strokeColor('#cccccc').stroke();
  }
  return y;
}

const tableWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const headerHeight = () => SMALL + 2 * PAD + 4;

/** Fixed widths for the figures; the item column takes the rest. The discount column only when a line has one. */
function layout(doc: Doc, view: QuoteDocumentView): Column[] {
  const discounts = view.lines.some((l) => l.discount !== '');
  const fixed: Column[] = [
    { key: 'position', width: 22, align: 'left' },
    { key: 'item', width: 0, align: 'left' },
    { key: 'quantity', width: 44, align: 'right' },
    { key: 'unit', width: 48, align: 'left' },
    { key: 'unitPrice', width: 72, align: 'right' },
    ...(discounts ? [{ key: 'discount' as const, width: 56, align: 'right' as const }] : []),
    { key: 'amount', width: 80, align: 'right' },
  ];
  const item = fixed.find((c) => c.key === 'item')!;
  item.width = tableWidth(doc) - fixed.reduce((s, c) => s + c.width, 0);
  return fixed;
}

function drawHeader(doc: Doc, view: QuoteDocumentView, columns: Column[], top: number): number {
  const left = doc.page.margins.left;
  const height = headerHeight();
  doc.rect(left, top, tableWidth(doc), height).fillColor('#eeeeee').fill();
  doc.fillColor('#000000').font(FONT.bold).fontSize(SMALL);
  let x = left;
  for (const c of columns) {
    doc.text(view.labels.columns[c.key], x + PAD, top + PAD + 1, { width: c.width - 2 * PAD, align: c.align, lineBreak: false });
    x += c.width;
  }
  return top + height;
}

function rowHeight(doc: Doc, line: QuoteDocumentLine, columns: Column[]): number {
  const width = columns.find((c) => c.key === 'item')!.width - 2 * PAD;
  let h = doc.font(FONT.bold).fontSize(SIZE).heightOfString(line.name || ' ', { width });
  doc.font(FONT.regular).fontSize(SMALL);
  if (line.description) h += doc.heightOfString(line.description, { width });
  if (line.note) h += doc.heightOfString(line.note, { width });
  return h + 2 * PAD;
}

function drawRow(doc: Doc, line: QuoteDocumentLine, columns: Column[], left: number, top: number, height: number): void {
  let x = left;
  for (const c of columns) {
    const width = c.width - 2 * PAD;
    if (c.key === 'item') {
      // The height limit clips a description longer than a page (with an ellipsis) instead of overrunning the footer.
      doc.font(FONT.bold).fontSize(SIZE).fillColor('#000000').text(line.name, x + PAD, top + PAD, { width, height: height - 2 * PAD, ellipsis: true });
      doc.font(FONT.regular).fontSize(SMALL).fillColor(GREY);
      const rest = top + height - PAD - doc.y;
      if (line.description && rest > 0) doc.text(line.description, x + PAD, doc.y, { width, height: rest, ellipsis: true });
      if (line.note && top + height - PAD - doc.y > 0) doc.text(line.note, x + PAD, doc.y, { width, lineBreak: false });
      doc.fillColor('#000000');
    } else {
      const value = line[c.key as Exclude<Key, 'item'>];
      doc.font(FONT.regular).fontSize(SIZE).text(value, x + PAD, top + PAD, { width, align: c.align, lineBreak: false });
    }
    x += c.width;
  }
}
