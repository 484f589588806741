import { AppError, ruleViolation } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { writeAudit } from '../../platform/events/audit.ts';
import { inTransaction, type TxContext } from '../../platform/records/context.ts';
import { acceptQuote, declineQuote, markQuoteViewed, readRecord } from '../billing/index.ts';
import { logPortalAccess } from './log.ts';
import { portalContext, scopedList, type PortalScope } from './scope.ts';
import type { RequestMeta } from './signin.ts';
import { getQuote, OPEN_INVOICE, quoteIdInScope } from './queries/documents.ts';

/**
 * What a contact does in the portal besides reading: answer a quote (billing's own accept and
 * decline commands, as the online quote page does) and start an online payment. Each is one
 * transaction with its audit entry (actor: the portal, label: the contact) and access-log entry.
 */
export interface Who extends RequestMeta {
  contactName: string;
}

async function audited<T>(platform: Platform, scope: PortalScope, who: Who, what: { action: string; target: { type: string; id: string }; details: Record<string, unknown>; log: string }, fn: (ctx: TxContext) => Promise<T>): Promise<T> {
  return inTransaction(portalContext(platform), async (ctx) => {
    const result = await fn(ctx);
    await writeAudit(ctx.trx, { action: `portal.${what.action}`, actor: { userId: null, via: 'portal' }, actorLabel: `portal contact ${who.contactName}`, ip: who.ip, userAgent: who.userAgent ?? null, target: what.target, details: { contactId: scope.contactId, ...what.details } });
    await logPortalAccess(ctx.trx, scope.contactId, { action: what.action, detail: what.log, ip: who.ip, userAgent: who.userAgent ?? null });
    return result;
  });
}

/** Opening a sent quote marks it viewed (as the online quote page does). */
export async function viewQuote(platform: Platform, scope: PortalScope, id: string) {
  const quote = await getQuote(platform, scope, id);
  if (quote.status === 'sent') {
    await inTransaction(portalContext(platform), (ctx) => markQuoteViewed({ ctx, id: quote.id })).catch((error: unknown) => platform.logger.warn({ err: error }, 'portal: could not mark a quote viewed'));
    return getQuote(platform, scope, id);
  }
  return quote;
}

export async function acceptQuoteInPortal(platform: Platform, scope: PortalScope, id: string, input: { optionalLines?: string[]; consent: boolean }, who: Who) {
  const quoteId = await quoteIdInScope(platform, scope, id);
  if (input.consent !== true) throw ruleViolation([{ field: 'consent', code: 'consent_required', message: 'Tick the box to accept the terms' }]);
  await audited(platform, scope, who, { action: 'quote_accepted', target: { type: 'quote', id: quoteId }, details: { signerName: who.contactName, optionalLines: input.optionalLines ?? [], consent: true }, log: `quote ${quoteId}` }, async (ctx) => {
    const { quote } = await acceptQuote({ ctx, id: quoteId, input: { signerName: who.contactName, ip: who.ip, userAgent: who.userAgent ?? null, ...(input.optionalLines ? { optionalLines: input.optionalLines } : {}) } });
    return quote;
  });
  return getQuote(platform, scope, quoteId);
}

export async function declineQuoteInPortal(platform: Platform, scope: PortalScope, id: string, reason: string, who: Who) {
  const quoteId = await quoteIdInScope(platform, scope, id);
  const why = reason.trim();
  if (!why) throw ruleViolation([{ field: 'reason', code: 'required', message: 'Tell us briefly why, so we can do better' }]);
  await audited(platform, scope, who, { action: 'quote_declined', target: { type: 'quote', id: quoteId }, details: { reason: why }, log: `quote ${quoteId}` }, (ctx) => declineQuote({ ctx, id: quoteId, reason: why }));
  return getQuote(platform, scope, quoteId);
}

// ——— online payment ———

/** The payments module's entry point (docs/portal.md, "Paying online"), when that module provides it. */
export type StartPayment = (args: { platform: Platform; accountId: string; invoiceIds: string[]; returnUrl: string; payer: { contactId: string } }) => Promise<{ redirectUrl: string }>;

let starter: Promise<StartPayment | null> | undefined;

/**
 * Looks up `startPayment` in modules/payments/index.ts at run time, so the portal neither
 * depends on the payments module's code nor fails without it: no module, no export, or the
 * module not in the composition root's list → online payment is off and the portal says so.
 */
export async function paymentStarter(platform: Platform): Promise<StartPayment | null> {
  if (!platform.modules.some((m) => m.name === 'payments')) return null;
  starter ??= import(new URL('../payments/index.ts', import.meta.url).href)
    .then((m: { startPayment?: unknown }) => (typeof m.startPayment === 'function' ? (m.startPayment as StartPayment) : null))
    .catch(() => null);
  return starter;
}

/**
 * "Pay selected invoices": every id must be an open invoice of the contact's accounts (else 404,
 * like an unknown one), all of one account and one currency (one hosted payment each); then the
 * provider's hosted page is started and its URL handed back for the browser to follow.
 */
export async function payInvoices(platform: Platform, scope: PortalScope, invoiceIds: string[], returnUrl: string, who: Who): Promise<{ redirectUrl: string }> {
  const ids = [...new Set(invoiceIds)];
  const rows = await scopedList(platform, scope, { object: 'invoice', filter: { and: [{ field: 'id', op: 'in', value: ids }, { field: 'kind', op: 'eq', value: 'invoice' }] }, fields: ['status', 'account', 'currency'], limit: 200 });
  if (rows.length !== ids.length) throw new AppError('not_found', 'Invoice was not found');
  const closed = rows.findIndex((r) => !OPEN_INVOICE.includes(String(r.status)));
  if (closed >= 0) throw ruleViolation([{ field: `invoiceIds[${ids.indexOf(rows[closed]!.id)}]`, code: 'not_open', message: 'This invoice is not open for payment' }]);
  if (new Set(rows.map((r) => String(r.account))).size > 1) throw ruleViolation([{ field: 'invoiceIds', code: 'several_accounts', message: 'Pay the invoices of one account at a time' }]);
  if (new Set(rows.map((r) => String(r.currency))).size > 1) throw ruleViolation([{ field: 'invoiceIds', code: 'several_currencies', message: 'Pay the invoices of one currency at a time' }]);
  const start = await paymentStarter(platform);
  if (!start) throw new AppError('unavailable', 'Online payment is not set up; please pay as described on the invoice');
  const accountId = String(rows[0]!.account);
  await readRecord(portalContext(platform), 'account', accountId, ['id']);
  const result = await start({ platform, accountId, invoiceIds: ids, returnUrl, payer: { contactId: scope.contactId } });
  await audited(platform, scope, who, { action: 'payment_started', target: { type: 'account', id: accountId }, details: { invoiceIds: ids }, log: `${ids.length} invoice(s)` }, async () => undefined);
  return result;
}
