import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { inSavepoint, inTransaction, systemActor, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { listRecords } from '../../../platform/records/read.ts';
import { Decimal, isBlank, readRecord, toDecimal } from '../../billing/index.ts';
import { recordPayment, refundPayment } from '../index.ts';
import { sameAmount, toMinor } from './money.ts';
import { providerNamed } from './registry.ts';
import { lockRequest, notifyHeld, requestedInvoices, setRequest } from './requests.ts';
import { SignatureError, type PaymentProvider, type ProviderEvent } from './types.ts';

export type Outcome = 'recorded' | 'held' | 'duplicate' | 'already_recorded' | 'deferred' | 'noted' | 'expired' | 'ignored' | 'refunded';
export interface EventResult {
  eventId: string;
  type: string;
  outcome: Outcome;
  detail?: string;
}

interface Applied {
  outcome: Outcome;
  detail?: string;
  requestId?: string;
  paymentRef?: string;
}

/**
 * A provider's webhook delivery (POST /api/v1/payment-webhooks/<provider>): the signature is
 * verified over the raw bytes first — a missing or wrong one is a 400 and nothing is recorded —
 * then each event is applied in its own transaction together with its row in
 * payments_provider_event, unique on (provider, event id). An event delivered again (a retry, a
 * replay) finds its row and changes nothing; a delivery that fails half-way (a crash, a lost
 * connection) leaves nothing behind, so the provider's retry applies it once.
 */
export async function receiveWebhook(args: { platform: Platform; provider: string; rawBody: Buffer; headers: Record<string, string | string[] | undefined> }): Promise<{ received: number; results: EventResult[] }> {
  const provider = providerNamed(args.platform, args.provider);
  if (!provider) throw notFound('Payment provider');
  let events: ProviderEvent[];
  try {
    events = provider.parseWebhook(args.rawBody, args.headers);
  } catch (error) {
    if (error instanceof SignatureError) {
      args.platform.logger.warn({ provider: provider.name, reason: error.message }, 'payment webhook refused: bad signature');
      throw new AppError('bad_request', 'The webhook signature is missing or does not match', { errors: [{ field: 'signature', code: 'invalid_signature', message: error.message }] });
    }
    if (error instanceof SyntaxError) throw new AppError('bad_request', 'The webhook body is not an event', { errors: [{ field: 'body', code: 'invalid_event', message: error.message }] });
    throw error;
  }
  const results: EventResult[] = [];
  for (const event of events) results.push(await applyEvent(args.platform, provider, event));
  return { received: events.length, results };
}

export async function applyEvent(platform: Platform, provider: PaymentProvider, event: ProviderEvent): Promise<EventResult> {
  return inTransaction({ platform, actor: systemActor('system') }, async (ctx) => {
    const row = uuidv7();
    const inserted = await sql<{ id: string }>`INSERT INTO payments_provider_event (id, provider, event_id, type, kind, outcome, event)
      VALUES (${row}::uuid, ${provider.name}, ${event.eventId}, ${event.type}, ${event.kind}, 'processing', ${JSON.stringify(event)}::jsonb)
      ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`.execute(ctx.trx);
    if (!inserted.rows[0]) return { eventId: event.eventId, type: event.type, outcome: 'duplicate' as const };
    const applied = await apply(ctx, provider, event);
    await sql`UPDATE payments_provider_event SET outcome = ${applied.outcome}, detail = ${applied.detail ?? null}, request_id = ${applied.requestId ?? null}::uuid,
      payment_ref = ${applied.paymentRef ?? null}, applied_at = ${applied.outcome === 'deferred' ? null : sql`now()`} WHERE id = ${row}::uuid`.execute(ctx.trx);
    if (applied.outcome !== 'ignored' && applied.outcome !== 'already_recorded') platform.logger.info({ provider: provider.name, event: event.eventId, type: event.type, outcome: applied.outcome }, 'payment webhook applied');
    return { eventId: event.eventId, type: event.type, outcome: applied.outcome, ...(applied.detail ? { detail: applied.detail } : {}) };
  });
}

async function apply(ctx: TxContext, provider: PaymentProvider, event: ProviderEvent): Promise<Applied> {
  switch (event.kind) {
    case 'payment.succeeded':
      return paymentSucceeded(ctx, provider, event);
    case 'payment.failed': {
      const request = await lockRequest(ctx, { provider: provider.name, id: event.requestId, sessionId: event.sessionId });
      if (!request) return { outcome: 'ignored', detail: 'No payment request of this Meridian' };
      if (request.status === 'open') await setRequest(ctx, request.id, { last_error: event.reason.slice(0, 2000) });
      return { outcome: 'noted', detail: event.reason, requestId: request.id };
    }
    case 'session.expired': {
      const request = await lockRequest(ctx, { provider: provider.name, id: event.requestId, sessionId: event.sessionId });
      if (!request) return { outcome: 'ignored', detail: 'No payment request of this Meridian' };
      // A late expiry never undoes a payment that arrived first.
      if (request.status !== 'open') return { outcome: 'already_recorded', detail: `The request is ${String(request.status)}`, requestId: request.id };
      await setRequest(ctx, request.id, { status: 'expired', completed_at: new Date().toISOString() });
      return { outcome: 'expired', requestId: request.id };
    }
    case 'refund.succeeded':
    case 'refund.total':
      return refundEvent(ctx, provider, event);
    case 'ignored':
      return { outcome: 'ignored' };
  }
}

type PaymentEvent = Extract<ProviderEvent, { kind: 'payment.succeeded' }>;

/**
 * Money received. Recorded once per provider payment id: the request is locked, and one already
 * settled with this payment id is left alone (Stripe's checkout.session.completed and
 * payment_intent.succeeded both report one payment, in either order). An amount or currency other
 * than what was asked is held for review — the request says why and staff are notified — never
 * applied. A matching payment is recorded and allocated to the request's invoices, each capped at
 * what is still open on it (an invoice paid meanwhile by other means leaves the rest as the
 * customer's credit); refunds that arrived before it are applied after it.
 */
async function paymentSucceeded(ctx: TxContext, provider: PaymentProvider, event: PaymentEvent): Promise<Applied> {
  const request = await lockRequest(ctx, { provider: provider.name, id: event.requestId, sessionId: event.sessionId });
  if (!request || request.provider !== provider.name) return { outcome: 'ignored', detail: 'No payment request of this Meridian', paymentRef: event.paymentId };
  const base = { requestId: request.id, paymentRef: event.paymentId };
  if (request.provider_payment_id === event.paymentId) return { ...base, outcome: 'already_recorded', detail: `Payment ${event.paymentId} is already ${request.status === 'paid' ? 'recorded' : 'held for review'}` };
  if (!isBlank(request.provider_payment_id)) {
    // A second, different payment for one request: money to look at, never applied on its own.
    const detail = `A second payment (${event.paymentId}, ${event.amount} ${event.currency}) arrived for ${String(request.name)}, already settled by ${String(request.provider_payment_id)}. Check it at ${provider.name} and record or refund it by hand.`;
    await setRequest(ctx, request.id, { review_reason: appendReason(request.review_reason, detail) });
    await notifyHeld(ctx, request, `Second online payment held: ${String(request.name)}`, detail);
    return { ...base, outcome: 'held', detail };
  }
  const mismatch = event.currency !== request.currency
    ? `Received ${event.amount} ${event.currency}, but ${String(request.amount)} ${String(request.currency)} was asked: the currency differs.`
    : !sameAmount(event.amount, request.amount)
      ? `Received ${event.amount} ${event.currency}, but ${new Decimal(String(request.amount)).toFixed()} ${String(request.currency)} was asked.`
      : null;
  const now = new Date().toISOString();
  if (mismatch) {
    const detail = `${mismatch} Nothing was applied. Check the payment ${event.paymentId} at ${provider.name}, then record it by hand or refund it.`;
    await setRequest(ctx, request.id, { status: 'held_for_review', provider_payment_id: event.paymentId, completed_at: now, review_reason: appendReason(request.review_reason, detail) });
    await notifyHeld(ctx, request, `Online payment held for review: ${String(request.name)}`, detail);
    return { ...base, outcome: 'held', detail };
  }

  const allocations = await cappedAllocations(ctx, request);
  const recorded = await recordPayment({
    ctx,
    input: {
      account: String(request.account), amount: event.amount, currency: event.currency, method: event.method ?? 'card', reference: event.paymentId,
      notes: `Paid online (${String(request.name)}) through ${provider.name}`,
      ...(allocations.length > 0 ? { allocations } : { allocate: 'none' as const }),
    },
    provider: { name: provider.name, paymentId: event.paymentId },
  });
  await setRequest(ctx, request.id, { status: 'paid', provider_payment_id: event.paymentId, payment: recorded.payment.id, completed_at: now });
  await applyDeferredRefunds(ctx, provider, event.paymentId);
  return { ...base, outcome: recorded.duplicate ? 'already_recorded' : 'recorded' };
}

/** The request's invoices and amounts, each capped at what is open on it now (same currency, still payable). */
async function cappedAllocations(ctx: TxContext, request: ApiRecord): Promise<Array<{ invoice: string; amount: string }>> {
  const out: Array<{ invoice: string; amount: string }> = [];
  for (const asked of requestedInvoices(request)) {
    const invoice = await readRecord(ctx, 'invoice', asked.invoice, ['status', 'open_amount', 'currency', 'kind']).catch(() => null);
    if (!invoice || invoice.kind !== 'invoice' || invoice.currency !== request.currency || !['posted', 'partially_paid'].includes(String(invoice.status))) continue;
    const open = toDecimal(invoice.open_amount) ?? new Decimal(0);
    const amount = Decimal.min(open, new Decimal(asked.amount));
    if (amount.gt(0)) out.push({ invoice: asked.invoice, amount: amount.toFixed() });
  }
  return out;
}

type RefundEvent = Extract<ProviderEvent, { kind: 'refund.succeeded' | 'refund.total' }>;

/**
 * A refund the provider made. Before its payment is recorded (events out of order) it waits as a
 * deferred event and is applied right after the payment. `refund.total` (the payment's refunded
 * total so far) records only what Meridian has not recorded yet — refunds started from Meridian
 * (refund.ts) are recorded when they are made — so every refund counts once whichever way it is
 * reported. A refund Meridian cannot apply (the money is allocated to invoices) is held for review.
 */
async function refundEvent(ctx: TxContext, provider: PaymentProvider, event: RefundEvent): Promise<Applied> {
  const request = await lockRequest(ctx, { provider: provider.name, paymentId: event.paymentId });
  const base = { paymentRef: event.paymentId, ...(request ? { requestId: request.id } : {}) };
  if (!request || isBlank(request.payment)) return { ...base, outcome: 'deferred', detail: 'The payment is not recorded yet: applied when it is' };
  const payment = await readRecord(ctx, 'payment', String(request.payment), ['refunded_amount', 'currency']);
  let amount: Decimal;
  let refundId: string;
  if (event.kind === 'refund.total') {
    const before = toDecimal(payment.refunded_amount) ?? new Decimal(0);
    amount = new Decimal(event.refunded).minus(before);
    refundId = `${event.reference}:${toMinor(event.refunded, event.currency)}`;
    if (amount.lte(0)) return { ...base, outcome: 'already_recorded', detail: `${event.refunded} ${event.currency} refunded in all, as recorded` };
  } else {
    amount = new Decimal(event.amount);
    refundId = event.refundId;
    // Made from Meridian (refund.ts) and recorded then: the provider's report of it adds nothing.
    const known = await listRecords({ ctx, object: ctx.platform.registry.requireObject('payment_refund'), filter: { and: [{ field: 'payment', op: 'eq', value: String(request.payment) }, { field: 'provider_refund_id', op: 'eq', value: refundId }] }, fields: ['id'], limit: 1 });
    if (known.data.length > 0) return { ...base, outcome: 'already_recorded', detail: `Refund ${refundId} is recorded` };
  }
  if (event.currency !== payment.currency) return held(ctx, request, base, `A refund in ${event.currency} arrived for a payment in ${String(payment.currency)}.`);
  try {
    await inSavepoint(ctx, 'provider_refund', (inner) => refundPayment({ ctx: inner, id: String(request.payment), input: { amount: amount.toFixed(), reason: `Refunded at ${provider.name}` }, provider: { name: provider.name, refundId } }));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return held(ctx, request, base, `${provider.name} refunded ${amount.toFixed()} ${event.currency} of payment ${event.paymentId}, which Meridian could not record: ${error.message}. Move the payment off its invoices, then record the refund by hand.`);
  }
  return { ...base, outcome: 'refunded' };
}

async function held(ctx: TxContext, request: ApiRecord, base: Partial<Applied>, detail: string): Promise<Applied> {
  await setRequest(ctx, request.id, { review_reason: appendReason(request.review_reason, detail) });
  await notifyHeld(ctx, request, `Refund held for review: ${String(request.name)}`, detail);
  return { ...base, outcome: 'held', detail };
}

/** Refund events that came before their payment, applied now that it is recorded (in the same transaction). */
async function applyDeferredRefunds(ctx: TxContext, provider: PaymentProvider, paymentId: string): Promise<void> {
  const waiting = await sql<{ id: string; event: ProviderEvent | string }>`SELECT id, event FROM payments_provider_event
    WHERE provider = ${provider.name} AND payment_ref = ${paymentId} AND outcome = 'deferred' ORDER BY received_at, id FOR UPDATE`.execute(ctx.trx);
  for (const row of waiting.rows) {
    const event = (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as RefundEvent;
    const applied = await refundEvent(ctx, provider, event);
    await sql`UPDATE payments_provider_event SET outcome = ${applied.outcome}, detail = ${applied.detail ?? null}, request_id = ${applied.requestId ?? null}::uuid, applied_at = now() WHERE id = ${row.id}::uuid`.execute(ctx.trx);
  }
}

function appendReason(previous: unknown, detail: string): string {
  return (isBlank(previous) ? detail : `${String(previous)}\n${detail}`).slice(-4000);
}
