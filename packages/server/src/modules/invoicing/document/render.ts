import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { drawDocumentPdf, drawQrCode, isBlank, quotePdfFileName, readDocumentInput, readRecord, type DocumentClosing } from '../../billing/index.ts';
import { invoicingSettings } from '../settings.ts';
import { INVOICE } from '../kind.ts';
import { payLinkOf } from '../pay/links.ts';
import { buildInvoiceDocument, type PaymentBlock } from './build.ts';

const QR_SIZE = 96;

/**
 * The invoice or credit note as a PDF, read as the context's actor (one they cannot see is a
 * 404): billing's document layout, closed by the payment block — the amount due, the payment
 * instructions, and the pay link as text and as a QR code drawn in vector (crisp at any zoom).
 */
export async function renderInvoicePdf(args: { ctx: RecordContext; id: string }): Promise<{ pdf: Buffer; filename: string; invoice: ApiRecord }> {
  const { input, payUrl, creditedNumber } = await inTransaction(args.ctx, async (tx) => {
    const input = await readDocumentInput(tx, INVOICE, args.id);
    const credited = isBlank(input.quote.credited_invoice) ? null : await readRecord(tx, 'invoice', String(input.quote.credited_invoice), ['number']).catch(() => null);
    return { input, payUrl: await payLinkOf(tx, args.id), creditedNumber: credited ? String(credited.number ?? '') || null : null };
  });
  const { view, payment } = buildInvoiceDocument({ ...input, payUrl, creditedNumber, instructions: invoicingSettings.of(args.ctx.platform).paymentInstructions });
  const pdf = await drawDocumentPdf(view, paymentClosing(payment));
  return { pdf, filename: quotePdfFileName(String(input.quote.number ?? `invoice-draft-${args.id.slice(-8)}`)), invoice: input.quote as ApiRecord };
}

function paymentClosing(payment: PaymentBlock): DocumentClosing {
  return (doc, _view, top, { ensureRoom, width }) => {
    const left = doc.page.margins.left;
    const y = ensureRoom(doc, top, QR_SIZE + 30);
    const textWidth = payment.payUrl ? width - QR_SIZE - 20 : width;
    doc.font('Noto-Bold').fontSize(10).fillColor('#000000').text(payment.heading, left, y, { width: textWidth });
    doc.font('Noto').fontSize(9);
    for (const line of payment.lines) doc.text(line, left, doc.y + 2, { width: textWidth });
    if (!payment.payUrl) return;
    doc.font('Noto-Bold').fontSize(9).text(payment.payLabel, left, doc.y + 6, { width: textWidth });
    doc.font('Noto').fontSize(8.5).fillColor('#1a56db').text(payment.payUrl, left, doc.y + 1, { width: textWidth, link: payment.payUrl, underline: false }).fillColor('#000000');
    drawQrCode(doc, payment.payUrl, left + width - QR_SIZE, y, QR_SIZE);
  };
}

