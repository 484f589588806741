import { AppError, notFound, validationFailed } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { asSystem, inTransaction, systemActor, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { Decimal, isBlank, readRecord, refuse, toDecimal } from '../../billing/index.ts';
import { activeProvider, providerSettings } from './registry.ts';
import { REQUEST, isUuid, setRequest, type RequestedInvoice } from './requests.ts';

/** At most this many invoices in one online payment. */
export const MAX_INVOICES = 50;
/** How far up an account tree an invoice's account may be under the payer's account. */
const MAX_TREE_DEPTH = 20;

export interface StartPaymentArgs {
  platform: Platform;
  /** The payer's account: the invoices are its own or its sub-accounts'. */
  accountId: string;
  invoiceIds: string[];
  /** Where the provider sends the payer back to: a page of this Meridian (same origin as MERIDIAN_PUBLIC_URL). */
  returnUrl: string;
  /** Who pays: a portal contact, or a staff user starting it for the customer. */
  payer: { contactId?: string; userId?: string };
  /** E-mail the provider's page may fill in. */
  email?: string;
}

/**
 * Starts an online payment (docs/payments.md, "Providers"): checks the invoices — posted or
 * partially paid invoices (never credit notes, drafts, void or paid ones) of one account (the
 * payer's or one under it in the account tree), in one currency, each with something open — asks
 * for their open amounts, records the request, and answers the provider's page to send the payer
 * to. The request is committed before the provider is asked, so a webhook can never arrive for a
 * request Meridian does not know; if the provider cannot be reached, the request is cancelled
 * with the reason and the caller gets a 503.
 */
export async function startPayment(args: StartPaymentArgs): Promise<{ redirectUrl: string; requestId: string }> {
  const { platform } = args;
  const provider = activeProvider(platform);
  if (!provider) throw new AppError('conflict', 'Online payment is not set up (MERIDIAN_PAYMENT_PROVIDER)', { errors: [{ field: 'provider', code: 'payments_not_configured', message: 'No payment provider is configured' }] });
  checkReturnUrl(platform, args.returnUrl);
  const ids = [...new Set(args.invoiceIds)];
  if (ids.length === 0 || ids.length > MAX_INVOICES) throw validationFailed([{ field: 'invoices', code: 'out_of_range', message: `Pay 1 to ${MAX_INVOICES} invoices at once` }]);
  if (!isUuid(args.accountId)) throw notFound('Account');

  const ctx: RecordContext = { platform, actor: args.payer.userId ? { ...systemActor('api'), userId: args.payer.userId } : systemActor('api') };
  const sys = asSystem(ctx);
  const invoices: ApiRecord[] = [];
  for (const [i, id] of ids.entries()) {
    if (!isUuid(id)) throw validationFailed([{ field: `invoices[${i}]`, code: 'not_found', message: 'There is no such invoice' }]);
    const invoice = await readRecord(sys, 'invoice', id).catch(() => null);
    if (!invoice) throw validationFailed([{ field: `invoices[${i}]`, code: 'not_found', message: 'There is no such invoice' }]);
    invoices.push(invoice);
  }
  const accounts = new Set(invoices.map((inv) => String(inv.account)));
  if (accounts.size > 1) refuse('invoices', 'one_account', 'Pay the invoices of one account at a time');
  const account = [...accounts][0]!;
  if (!(await isInTree(sys, account, args.accountId))) throw validationFailed([{ field: 'invoices', code: 'not_found', message: 'There is no such invoice' }]);
  const currencies = new Set(invoices.map((inv) => String(inv.currency)));
  if (currencies.size > 1) refuse('invoices', 'one_currency', `The invoices are in ${[...currencies].join(' and ')}: pay one currency at a time`);
  const currency = [...currencies][0]!;
  const asked: RequestedInvoice[] = [];
  for (const [i, inv] of invoices.entries()) {
    const number = String(inv.number ?? '');
    if (inv.kind !== 'invoice') refuse(`invoices[${i}]`, 'not_payable', `${number} is a credit note`);
    if (inv.status !== 'posted' && inv.status !== 'partially_paid') refuse(`invoices[${i}]`, 'not_open', `Invoice ${number || inv.id} is ${String(inv.status).replaceAll('_', ' ')}: nothing to pay`);
    const open = toDecimal(inv.open_amount) ?? new Decimal(0);
    if (open.lte(0)) refuse(`invoices[${i}]`, 'not_open', `Nothing is open on invoice ${number}`);
    asked.push({ invoice: inv.id, number, amount: open.toFixed() });
  }
  const total = asked.reduce((sum, a) => sum.plus(a.amount), new Decimal(0));
  const hours = providerSettings.of(platform).paymentRequestHours;
  const description = `${asked.length === 1 ? 'Invoice' : 'Invoices'} ${asked.map((a) => a.number).join(', ')}`.slice(0, 250);

  const request = await inTransaction(ctx, (tx) => createRecord({
    ctx: asSystem(tx), object: platform.registry.requireObject(REQUEST), input: {},
    options: {
      systemValues: {
        name: description, account, status: 'open', amount: total.toNumber(), currency, invoices: JSON.stringify(asked), provider: provider.name,
        return_url: args.returnUrl, expires_at: new Date(Date.now() + hours * 3_600_000).toISOString(),
        ...(args.payer.contactId ? { payer_contact: args.payer.contactId } : {}), ...(args.payer.userId ? { requested_by: args.payer.userId } : {}),
      },
    },
  }));

  let started: Awaited<ReturnType<typeof provider.start>>;
  try {
    started = await provider.start({ id: request.id, amount: total.toFixed(), currency, description, returnUrl: withParam(args.returnUrl, 'payment', 'done'), cancelUrl: withParam(args.returnUrl, 'payment', 'cancelled'), ...(args.email ? { email: args.email } : {}) });
  } catch (error) {
    platform.logger.warn({ err: { message: (error as Error).message }, provider: provider.name, request: request.id }, 'the payment provider refused to start a payment');
    await inTransaction(ctx, (tx) => setRequest(tx, request.id, { status: 'cancelled', last_error: `The provider could not start the payment: ${(error as Error).message}`.slice(0, 2000) }));
    throw new AppError('unavailable', 'The payment provider cannot be reached; please try again later');
  }
  await inTransaction(ctx, (tx) => setRequest(tx, request.id, {
    provider_session_id: started.sessionId, redirect_url: started.redirectUrl, ...(started.expiresAt ? { expires_at: started.expiresAt } : {}),
  }));
  return { redirectUrl: started.redirectUrl, requestId: request.id };
}

/** The payer returns to a page of this Meridian only: a return URL elsewhere would make Meridian an open redirect. */
function checkReturnUrl(platform: Platform, returnUrl: string): void {
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    throw validationFailed([{ field: 'returnUrl', code: 'invalid_url', message: 'An absolute URL' }]);
  }
  if (url.origin !== new URL(platform.config.publicUrl).origin) throw validationFailed([{ field: 'returnUrl', code: 'other_origin', message: `A page of ${new URL(platform.config.publicUrl).origin}` }]);
}

function withParam(url: string, key: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(key, value);
  return u.toString();
}

/** Is `account` the payer's account or one under it (parent_account, walked up)? */
async function isInTree(ctx: RecordContext, account: string, payer: string): Promise<boolean> {
  let current: string | null = account;
  for (let depth = 0; current && depth <= MAX_TREE_DEPTH; depth++) {
    if (current === payer) return true;
    const row: ApiRecord | null = await readRecord(ctx, 'account', current, ['parent_account']).catch(() => null);
    current = row && !isBlank(row.parent_account) ? String(row.parent_account) : null;
  }
  return false;
}
