import { sql } from 'kysely';
import { ruleViolation, type FieldError } from '../../../platform/errors.ts';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { recordEvent } from '../../../platform/records/history.ts';
import { listRecords, MAX_PAGE_SIZE } from '../../../platform/records/read.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { Decimal, asDocumentCommand, isBlank, minorUnits, refuse, roundMoney, roundingPolicy, tableOf, toDecimal } from '../../billing/index.ts';
import { createInvoice, type CopiedLine } from './create.ts';
import { postLocked } from './post.ts';
import { readInvoiceLines, runInvoiceCommand, setInvoiceValues, type InvoiceCommandArgs } from './common.ts';

export interface CreditInput {
  /** The invoice's lines and how much of each to credit; or `full` for everything not credited yet. */
  lines?: Array<{ invoiceLine: string; quantity: string | number }>;
  full?: boolean;
  reason?: string;
}

export interface CreditResult {
  invoice: ApiRecord;
  creditNote: ApiRecord | null;
  lines: ApiRecord[];
}

const HEADER = ['account', 'contact', 'opportunity', 'currency', 'price_date', 'payment_terms', 'billing_address', 'po_number', 'discount_percent'];
const LINE = ['product', 'product_spec', 'unit_of_measure', 'description', 'unit_price', 'discount_percent'];
const COPIED = ['taxes', 'list_price', 'cost', 'price_explanation', 'name'];

/**
 * What an invoice's posted credit notes credited already: how much of each line, and in how many
 * notes and note lines (each rounded on its own: the rounding a closing note may take up).
 */
async function creditedSoFar(ctx: TxContext, invoiceId: string): Promise<{ quantities: Map<string, Decimal>; notes: number; lines: number }> {
  const r = await sql<{ line: string; quantity: string; lines: number; notes: number }>`SELECT l.credited_line_id AS line, sum(l.quantity)::text AS quantity,
      count(*)::int AS lines, count(DISTINCT h.id)::int AS notes
    FROM ${tableOf(ctx, 'invoice_line')} l JOIN ${tableOf(ctx, 'invoice')} h ON h.id = l.invoice_id
    WHERE h.credited_invoice_id = ${invoiceId} AND h.status <> 'draft' AND h.deleted_at IS NULL AND l.deleted_at IS NULL AND l.credited_line_id IS NOT NULL
    GROUP BY l.credited_line_id`.execute(ctx.trx);
  const notes = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${tableOf(ctx, 'invoice')}
    WHERE credited_invoice_id = ${invoiceId} AND status <> 'draft' AND deleted_at IS NULL`.execute(ctx.trx);
  return {
    quantities: new Map(r.rows.map((row) => [row.line, new Decimal(row.quantity)])),
    notes: notes.rows[0]?.n ?? 0,
    lines: r.rows.reduce((n, row) => n + Number(row.lines), 0),
  };
}

/**
 * Credits a posted invoice, in full or in part (docs/invoicing.md, "Credit notes"): a credit
 * note is made from the invoice's lines with the quantities credited — at the prices, discounts
 * and taxes of the invoice (copied, never priced again) — posted at once with its own number,
 * and the invoice's credited total and open amount follow. Credit notes store positive amounts;
 * `kind` says they reduce what is owed. A line cannot be credited beyond what is left of it
 * (422 `lines[i].quantity`) and a credit note cannot exceed the invoice's open amount (422
 * `amount`). With `voiding`, the rest of the invoice is credited and it becomes void.
 */
export async function creditInvoice(args: InvoiceCommandArgs & { input: CreditInput; voiding?: boolean }): Promise<CreditResult> {
  return runInvoiceCommand({
    ...args,
    command: args.voiding ? 'void' : 'credit',
    async run(ctx, invoice) {
      if (invoice.kind !== 'invoice') refuse('kind', 'not_an_invoice', 'A credit note cannot be credited');
      const sys = asSystem(ctx);
      const lines = await readInvoiceLines(sys, invoice.id);
      const so = await creditedSoFar(ctx, invoice.id);
      const left = (line: ApiRecord) => new Decimal(String(line.quantity)).minus(so.quantities.get(line.id) ?? 0);
      const chosen = args.voiding || args.input.full ? lines.filter((l) => left(l).gt(0)).map((l) => ({ line: l, quantity: left(l) })) : pickLines(args.input, lines, left);
      if (!chosen.length) {
        if (!args.voiding) refuse('lines', 'nothing_to_credit', 'Everything on this invoice has been credited already');
        await releaseOrders(ctx, invoice.id);
        return { invoice: await setInvoiceValues(ctx, invoice.id, { status: 'void' }), creditNote: null, lines: [] };
      }
      const currency = String(invoice.currency);
      const { mode } = roundingPolicy(ctx.platform);
      // Amount discounts are credited in proportion (whole quantities: exactly the invoice's).
      const share = (amount: unknown, part: Decimal, whole: Decimal) => (isBlank(amount) || whole.isZero() ? null : roundMoney(new Decimal(String(amount)).times(part).dividedBy(whole), currency, mode).toNumber());
      const copied: CopiedLine[] = chosen.map(({ line, quantity }) => ({
        input: {
          ...Object.fromEntries(LINE.filter((f) => !isBlank(line[f])).map((f) => [f, line[f]])),
          quantity: quantity.toNumber(),
          discount_amount: share(line.discount_amount, quantity, new Decimal(String(line.quantity))),
        },
        systemValues: { ...Object.fromEntries(COPIED.map((f) => [f, line[f] ?? null])), credited_line: line.id },
      }));
      const creditedNet = chosen.reduce((s, { line, quantity }) => s.plus(new Decimal(String(line.net ?? 0)).times(quantity).dividedBy(String(line.quantity))), new Decimal(0));
      const { invoice: draft } = await createInvoice({
        ctx,
        input: {
          invoice: {
            ...Object.fromEntries(HEADER.filter((f) => !isBlank(invoice[f])).map((f) => [f, invoice[f]])),
            discount_amount: share(invoice.discount_amount, creditedNet, new Decimal(String(invoice.subtotal ?? 0))),
          },
        },
        systemValues: { kind: 'credit_note', credited_invoice: invoice.id, credit_reason: args.input.reason?.trim() || null },
        copied,
      });
      const open = toDecimal(invoice.open_amount) ?? new Decimal(0);
      const closing = chosen.length === lines.filter((l) => left(l).gt(0)).length && chosen.every(({ line, quantity }) => quantity.equals(left(line)));
      const difference = new Decimal(String(draft.total)).minus(open);
      if (closing && !difference.isZero() && difference.abs().lte(roundingTolerance(currency, { lines: so.lines + chosen.length, notes: so.notes + 1 }))) {
        // Credited piecewise, the parts' rounding (per line, per tax, each note's share of the
        // document discount) need not add up to the whole: the note that closes the invoice
        // credits exactly what is open.
        await absorbRounding(ctx, draft.id, difference);
      } else if (difference.gt(0)) {
        refuse('amount', 'exceeds_open_amount', `The credit note (${String(draft.total)} ${currency}) would be more than what is open on the invoice (${open.toFixed()} ${currency})`);
      }
      const creditNote = await postLocked(ctx, draft);
      const creditedTotal = (toDecimal(invoice.credited_total) ?? new Decimal(0)).plus(String(creditNote.total));
      const paid = toDecimal(invoice.paid_total) ?? new Decimal(0);
      const openAfter = new Decimal(String(invoice.total)).minus(creditedTotal).minus(paid);
      const updated = await setInvoiceValues(ctx, invoice.id, {
        credited_total: creditedTotal.toNumber(),
        open_amount: openAfter.toNumber(),
        // Part paid, the rest credited: nothing is owed any more, and what was owed was paid.
        ...(args.voiding ? { status: 'void' } : openAfter.isZero() && paid.gt(0) ? { status: 'paid' } : {}),
      });
      if (args.voiding) await releaseOrders(ctx, invoice.id);
      await recordEvent({
        ctx, type: args.voiding ? 'invoice.voided' : 'invoice.credited', object: ctx.platform.registry.requireObject('invoice'), recordId: invoice.id,
        data: { number: invoice.number, credit_note: creditNote.id, credit_note_number: creditNote.number, amount: creditNote.total, open_amount: updated.open_amount },
      });
      return { invoice: updated, creditNote, lines: await readInvoiceLines(ctx, creditNote.id) };
    },
  });
}

/** A void invoice billed nothing: the orders it was made from can be invoiced again. */
async function releaseOrders(ctx: TxContext, invoiceId: string): Promise<void> {
  const object = ctx.platform.registry.requireObject('order');
  const sys = asSystem(ctx);
  const orders = await listRecords({ ctx: sys, object, fields: ['id'], filter: { field: 'invoice', op: 'eq', value: invoiceId }, limit: MAX_PAGE_SIZE });
  for (const order of orders.data) {
    await asDocumentCommand(ctx, order.id, () => updateRecord({ ctx: sys, object, id: order.id, input: {}, options: { systemValues: { invoice: null } } }));
  }
}

/**
 * The most the pieces' rounding can add up to: one minor unit per credit note line and tax (net,
 * a simple and a compound tax) and one per note (its share of the document's discount amount),
 * over every note of the invoice including the closing one.
 */
function roundingTolerance(currency: string, pieces: { lines: number; notes: number }): Decimal {
  return new Decimal(10).pow(-minorUnits(currency)).times(pieces.lines * 3 + pieces.notes);
}

/**
 * Takes a rounding difference off the closing credit note: from the tax of its line with the
 * largest tax (else from that line's net), and the same from its header, so the lines still add
 * up to the document and its total is exactly the invoice's open amount.
 */
async function absorbRounding(ctx: TxContext, creditNoteId: string, difference: Decimal): Promise<void> {
  const lines = tableOf(ctx, 'invoice_line');
  const target = await sql<{ id: string; taxed: boolean }>`SELECT id, tax_total <> 0 AS taxed FROM ${lines} WHERE invoice_id = ${creditNoteId} AND deleted_at IS NULL
    ORDER BY abs(tax_total) DESC, total DESC, id LIMIT 1`.execute(ctx.trx);
  const { id, taxed } = target.rows[0]!;
  const d = difference.toString();
  if (taxed) {
    await sql`UPDATE ${lines} SET tax_total = tax_total - ${d}::numeric, total = total - ${d}::numeric WHERE id = ${id}`.execute(ctx.trx);
    await sql`UPDATE ${tableOf(ctx, 'invoice')} SET tax_total = tax_total - ${d}::numeric, total = total - ${d}::numeric WHERE id = ${creditNoteId}`.execute(ctx.trx);
  } else {
    await sql`UPDATE ${lines} SET net = net - ${d}::numeric, taxable = taxable - ${d}::numeric, total = total - ${d}::numeric WHERE id = ${id}`.execute(ctx.trx);
    await sql`UPDATE ${tableOf(ctx, 'invoice')} SET subtotal = subtotal - ${d}::numeric, taxable = taxable - ${d}::numeric, total = total - ${d}::numeric WHERE id = ${creditNoteId}`.execute(ctx.trx);
  }
}

/** The lines named in the input, each at most what is left of it (422 naming `lines[i].…`). */
function pickLines(input: CreditInput, lines: ApiRecord[], left: (line: ApiRecord) => Decimal): Array<{ line: ApiRecord; quantity: Decimal }> {
  if (!input.lines?.length) refuse('lines', 'required', 'Name the lines and quantities to credit, or credit the invoice in full');
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const out: Array<{ line: ApiRecord; quantity: Decimal }> = [];
  input.lines.forEach((item, i) => {
    const line = lines.find((l) => l.id === item.invoiceLine);
    if (!line || seen.has(line.id)) {
      errors.push({ field: `lines[${i}].invoiceLine`, code: line ? 'duplicate' : 'not_on_invoice', message: line ? 'This line is named twice' : 'Not a line of this invoice' });
      return;
    }
    seen.add(line.id);
    const quantity = toDecimal(item.quantity);
    if (!quantity || !quantity.isFinite() || quantity.lte(0) || quantity.decimalPlaces() > 6) {
      errors.push({ field: `lines[${i}].quantity`, code: 'out_of_range', message: 'Must be a quantity above 0 with at most 6 decimals' });
    } else if (quantity.gt(left(line))) {
      errors.push({ field: `lines[${i}].quantity`, code: 'exceeds_invoiced', message: `At most ${left(line).toFixed()} of this line is left to credit` });
    } else {
      out.push({ line, quantity });
    }
  });
  if (errors.length) throw ruleViolation(errors);
  return out;
}
