import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import type { Platform } from '../../../../platform/kernel.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../../platform/records/context.ts';
import { ruleViolation } from '../../../../platform/errors.ts';
import { readRecord, today } from '../../context.ts';
import { acceptQuote } from '../commands/accept.ts';
import { declineQuote, markQuoteViewed } from '../commands/answer.ts';
import { setQuoteValues } from '../commands/common.ts';
import { asQuoteCommand } from '../scope.ts';
import { figuresOf, lockQuote, storedLines } from '../recalculate.ts';
import { readQuoteLines } from '../commands/create.ts';
import { renderQuotePdf } from '../document/render.ts';
import { openQuoteLink, type OpenedLink } from './links.ts';
import { notifyQuoteOwner } from './notify.ts';
import { CONSENT_TEXT, presentPublicQuote, type PublicQuote } from './view.ts';

async function asLink<T>(platform: Platform, token: string, fn: (ctx: TxContext, link: OpenedLink) => Promise<T>, count = true): Promise<T> {
  await platform.registry.ensureFresh();
  const link = await openQuoteLink({ platform, token, count });
  const ctx: RecordContext = { platform, actor: link.actor };
  return inTransaction(ctx, (tx) => fn(tx, link));
}

async function signerOf(ctx: TxContext, link: OpenedLink): Promise<string> {
  if (!link.contactId) return 'The customer';
  const c = await readRecord(ctx, 'contact', link.contactId, ['full_name']).catch(() => null);
  return c?.full_name ? String(c.full_name) : 'The customer';
}

/** Opening the link: the first open of a sent quote marks it viewed and tells the owner. */
export async function viewPublicQuote(args: { platform: Platform; token: string }): Promise<PublicQuote> {
  return asLink(args.platform, args.token, async (ctx, link) => {
    let quote = await readRecord(ctx, 'quote', link.quoteId);
    if (quote.status === 'sent') {
      quote = await markQuoteViewed({ ctx, id: quote.id });
      await notifyQuoteOwner(ctx, { quote, news: 'viewed', who: await signerOf(ctx, link), detail: `Quote ${String(quote.name)} was opened online for the first time.` });
    }
    return presentPublicQuote(ctx, quote, today(ctx));
  });
}

export interface PublicAcceptInput {
  signerName: string;
  consent: boolean;
  optionalLines?: string[];
  ip: string;
  userAgent: string | null;
}

/**
 * The customer accepts through the link, in one transaction: the acceptance (accept.ts: lines
 * chosen, totals, the deal won, `quote.accepted`), the consent, the PDF of the accepted version
 * sealed with its SHA-256, and the owner's notification. A second click waits for the first on the
 * quote's row lock and is then refused as already accepted.
 */
export async function acceptPublicQuote(args: { platform: Platform; token: string; input: PublicAcceptInput }): Promise<PublicQuote> {
  const { input } = args;
  if (input.consent !== true) throw ruleViolation([{ field: 'consent', code: 'consent_required', message: 'Tick the box to accept the terms' }]);
  const signerName = input.signerName.trim();
  if (!signerName) throw ruleViolation([{ field: 'signerName', code: 'required', message: 'Type your full name to sign' }]);
  return asLink(args.platform, args.token, async (ctx, link) => {
    const { quote: accepted } = await acceptQuote({
      ctx, id: link.quoteId,
      input: { signerName, ip: input.ip, userAgent: input.userAgent, ...(input.optionalLines ? { optionalLines: input.optionalLines } : {}) },
    });
    const sealed = await sealAcceptedQuote(ctx, accepted.id);
    const quote = await asQuoteCommand(ctx, accepted.id, () => setQuoteValues(ctx, accepted.id, { accepted_consent: CONSENT_TEXT, accepted_pdf_sha256: sealed.sha256 }));
    const total = new Intl.NumberFormat(ctx.actor.locale, { style: 'currency', currency: String(quote.currency) }).format(Number(quote.accepted_total));
    await notifyQuoteOwner(ctx, { quote, news: 'accepted', who: signerName, detail: `${signerName} accepted quote ${String(quote.name)} online for ${total}.` });
    return presentPublicQuote(ctx, quote, today(ctx));
  }, false);
}

export async function declinePublicQuote(args: { platform: Platform; token: string; reason: string }): Promise<PublicQuote> {
  const reason = args.reason.trim();
  if (!reason) throw ruleViolation([{ field: 'reason', code: 'required', message: 'Tell us briefly why, so we can do better' }]);
  return asLink(args.platform, args.token, async (ctx, link) => {
    const quote = await declineQuote({ ctx, id: link.quoteId, reason });
    await notifyQuoteOwner(ctx, { quote, news: 'declined', who: await signerOf(ctx, link), detail: `Quote ${String(quote.name)} was declined online: ${reason}` });
    return presentPublicQuote(ctx, quote, today(ctx));
  }, false);
}

/**
 * The accepted version's PDF, rendered once inside the acceptance and kept byte for byte: what
 * the customer signed can be shown again unchanged, and its SHA-256 proves it.
 */
async function sealAcceptedQuote(ctx: TxContext, quoteId: string): Promise<{ sha256: string }> {
  const { pdf, filename } = await renderQuotePdf({ ctx, id: quoteId });
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  await sql`INSERT INTO billing_quote_seal (quote_id, sha256, pdf, file_name) VALUES (${quoteId}::uuid, ${sha256}, ${pdf}, ${filename})`.execute(ctx.trx);
  return { sha256 };
}

/** The PDF behind a link: the sealed one once accepted, else the quote as it stands. */
export async function publicQuotePdf(args: { platform: Platform; token: string }): Promise<{ pdf: Buffer; filename: string }> {
  return asLink(args.platform, args.token, async (ctx, link) => {
    const sealed = await sql<{ pdf: Uint8Array; file_name: string }>`SELECT pdf, file_name FROM billing_quote_seal WHERE quote_id = ${link.quoteId}::uuid`.execute(ctx.trx);
    const row = sealed.rows[0];
    if (row) return { pdf: Buffer.from(row.pdf), filename: row.file_name };
    const { pdf, filename } = await renderQuotePdf({ ctx, id: link.quoteId });
    return { pdf, filename };
  }, false);
}

/**
 * The totals the customer would accept with these optional lines, computed by the same kernel
 * as the stored totals and nothing saved: the page shows exact figures before the signature.
 */
export async function previewPublicQuote(args: { platform: Platform; token: string; optionalLines: string[] }): Promise<{ subtotal: number; discountTotal: number; taxTotal: number; total: number }> {
  return asLink(args.platform, args.token, async (ctx, link) => {
    const quote = await lockQuote(ctx, link.quoteId);
    const lines = await storedLines(ctx, link.quoteId);
    const optional = new Set((await readQuoteLines(ctx, link.quoteId)).filter((l) => l.optional === true).map((l) => l.id));
    const chosen = new Set(args.optionalLines);
    args.optionalLines.forEach((id, i) => {
      if (!optional.has(id)) throw ruleViolation([{ field: `optionalLines[${i}]`, code: 'not_optional', message: 'Not an optional line of this quote' }]);
    });
    const d = figuresOf(ctx, quote!, lines.map((l) => (optional.has(l.id) ? { ...l, selected: chosen.has(l.id) } : l))).document;
    return { subtotal: Number(d.subtotal), discountTotal: Number(d.documentDiscount), taxTotal: Number(d.taxTotal), total: Number(d.total) };
  }, false);
}
