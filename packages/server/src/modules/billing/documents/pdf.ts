import type PDFDocument from 'pdfkit';
import qrcode from 'qrcode-generator';

type Doc = InstanceType<typeof PDFDocument>;

/**
 * A QR code of the text (medium error correction, one module of quiet zone), drawn as pdfkit
 * rectangles: each row's run of dark modules is one rectangle, so the code stays vector and small.
 * Every printed document draws its codes with this (the invoice's pay link, the job ticket's number).
 */
export function drawQrCode(doc: Doc, value: string, x: number, y: number, size: number): void {
  const code = qrcode(0, 'M');
  code.addData(value);
  code.make();
  const n = code.getModuleCount();
  const cell = size / (n + 2);
  doc.save().fillColor('#000000');
  for (let row = 0; row < n; row++) {
    let start = -1;
    for (let col = 0; col <= n; col++) {
      const dark = col < n && code.isDark(row, col);
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        doc.rect(x + (start + 1) * cell, y + (row + 1) * cell, (col - start) * cell, cell);
        start = -1;
      }
    }
  }
  doc.fill().restore();
}

/**
 * A footer line on every page of a buffered document, written once the page count is known: a
 * text on the left half and one on the right (`Page N of M`). Writing below the bottom margin would
 * make pdfkit open a new page, so the margin is lifted while the footer is written.
 */
export function drawPageFooters(doc: Doc, footer: { font: string; color: string; y: (doc: Doc) => number; left: string; right: (page: number, pages: number) => string }): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const left = doc.page.margins.left;
    const half = (doc.page.width - doc.page.margins.left - doc.page.margins.right) / 2;
    const y = footer.y(doc);
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(footer.font).fontSize(8).fillColor(footer.color);
    doc.text(footer.left, left, y, { width: half, lineBreak: false });
    doc.text(footer.right(i - start + 1, count), left + half, y, { width: half, align: 'right', lineBreak: false });
    doc.fillColor('#000000');
    doc.page.margins.bottom = margin;
  }
}
