import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { recordEvents } from '../../../platform/records/history.ts';
import { updateRecords } from '../../../platform/records/updateMany.ts';
import { asDocumentCommand, nextDocumentNumbers, refuse, today } from '../../billing/index.ts';
import { invoicingSettings } from '../settings.ts';
import { now } from './common.ts';
import { dueDate } from './post.ts';
import { ensurePayLinks } from '../pay/links.ts';

/**
 * postLocked with `madeHere` for many invoices made in this transaction (the monthly run's batch
 * of accounts), with the statements shared: their numbers taken with one move of the series'
 * counter — last, so its row is locked only for the rest of this transaction — and consecutive
 * in the order given, every invoice's posted values written by one updateRecords (history and
 * record events through the pipeline), the `invoice.posted` events with one statement, the pay
 * links with one. Gapless as one posting is: the counter row stays locked to commit, and a
 * rolled-back batch gives every number back. Answers the posted invoices in order.
 */
export async function postMadeInvoices(ctx: TxContext, made: Array<{ invoice: ApiRecord; lineCount: number }>): Promise<ApiRecord[]> {
  if (!made.length) return [];
  for (const m of made) {
    if (m.invoice.kind === 'credit_note') throw new Error('postMadeInvoices posts invoices; a credit note is posted as it is made (credit.ts)');
    if (m.lineCount === 0) refuse('lines', 'empty', 'An invoice needs at least one line before it is posted');
  }
  const settings = invoicingSettings.of(ctx.platform);
  const date = today(ctx);
  const numbers = await nextDocumentNumbers({ ctx, series: 'invoice', format: settings.invoiceNumberFormat, date: new Date(`${date}T00:00:00Z`), count: made.length });
  const at = now();
  const object = ctx.platform.registry.requireObject('invoice');
  const ids = made.map((m) => m.invoice.id);
  const posted = await asDocumentCommand(ctx, ids, () => updateRecords({
    ctx, object,
    records: made.map(({ invoice }, i) => ({
      id: invoice.id, input: {},
      options: {
        systemValues: {
          number: numbers[i], name: numbers[i], status: 'posted', invoice_date: date, due_date: dueDate(date, invoice.payment_terms), posted_at: at, posted_by: ctx.actor.userId,
          // Owed in full until credited (or paid).
          credited_total: 0, paid_total: 0, open_amount: Number(invoice.total),
        },
      },
    })),
  }));
  await recordEvents({
    ctx, type: 'invoice.posted', object,
    events: posted.map((p) => ({ recordId: p.id, data: { number: p.number, kind: p.kind, account: p.account, currency: p.currency, total: p.total, invoice_date: date, due_date: p.due_date ?? null, credited_invoice: p.credited_invoice ?? null } })),
  });
  // The pay links (pay/links.ts), made together; an account that sends automatically gets the e-mail from the queue after this commit.
  await ensurePayLinks(ctx, ids);
  return posted;
}
