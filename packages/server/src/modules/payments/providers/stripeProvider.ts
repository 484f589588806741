import Stripe from 'stripe';
import { fromMinor, toMinor } from './money.ts';
import { SignatureError, type PaymentProvider, type ProviderEvent, type StartRequest } from './types.ts';

/** The metadata key naming Meridian's payment request on a Checkout Session and its PaymentIntent. */
export const REQUEST_METADATA = 'meridian_request';

export interface StripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** Another API origin (a local stand-in in tests): http://127.0.0.1:12111. */
  apiBase?: string | undefined;
  /** Seconds a Checkout Session stays open (Stripe: 30 minutes to 24 hours). */
  expiresInSeconds: number;
}

type Obj = Record<string, any>;
const idOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Obj).id === 'string' ? (v as Obj).id : undefined);

/**
 * Stripe through the official SDK: a Checkout Session per request (one line with the invoices'
 * numbers and the total; the request id as client_reference_id and as metadata on the session and
 * its PaymentIntent), webhooks verified by `stripe.webhooks.constructEvent` over the raw bytes,
 * refunds by `refunds.create` on the PaymentIntent. Meridian's payment id is the PaymentIntent id,
 * so `checkout.session.completed` and `payment_intent.succeeded` — whichever comes first — record
 * one payment. Refunds are learnt from `charge.refunded` (the charge's refunded total), so a refund
 * made in Stripe's dashboard is recorded too, and never twice.
 */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  readonly client: Stripe;
  readonly #webhookSecret: string;
  readonly #expiresIn: number;

  constructor(options: StripeOptions) {
    const base = options.apiBase ? new URL(options.apiBase) : undefined;
    this.client = new Stripe(options.secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
      appInfo: { name: 'Meridian CRM' },
      ...(base ? { host: base.hostname, port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)), protocol: base.protocol.replace(':', '') as 'http' | 'https' } : {}),
    });
    this.#webhookSecret = options.webhookSecret;
    this.#expiresIn = options.expiresInSeconds;
  }

  async start(request: StartRequest) {
    const currency = request.currency.toLowerCase();
    const session = await this.client.checkout.sessions.create({
      mode: 'payment',
      client_reference_id: request.id,
      metadata: { [REQUEST_METADATA]: request.id },
      payment_intent_data: { metadata: { [REQUEST_METADATA]: request.id }, description: request.description },
      line_items: [{ quantity: 1, price_data: { currency, unit_amount: toMinor(request.amount, request.currency), product_data: { name: request.description } } }],
      success_url: request.returnUrl,
      cancel_url: request.cancelUrl,
      expires_at: Math.floor(Date.now() / 1000) + Math.max(1800, Math.min(this.#expiresIn, 86_400)),
      ...(request.email ? { customer_email: request.email } : {}),
    }, { idempotencyKey: `meridian-request-${request.id}` });
    if (!session.url) throw new Error('Stripe answered a Checkout Session without a URL');
    return { sessionId: session.id, redirectUrl: session.url, ...(session.expires_at ? { expiresAt: new Date(session.expires_at * 1000).toISOString() } : {}) };
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderEvent[] {
    const signature = headers['stripe-signature'];
    if (typeof signature !== 'string' || !signature) throw new SignatureError('No Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.client.webhooks.constructEvent(rawBody, signature, this.#webhookSecret);
    } catch (error) {
      throw new SignatureError((error as Error).message);
    }
    return [normalizeStripeEvent(event)];
  }

  async refund(args: { paymentId: string; amount: string; currency: string; idempotencyKey: string; reason?: string }) {
    const refund = await this.client.refunds.create({
      payment_intent: args.paymentId,
      amount: toMinor(args.amount, args.currency),
      metadata: { meridian_refund: args.idempotencyKey, ...(args.reason ? { reason: args.reason.slice(0, 500) } : {}) },
    }, { idempotencyKey: `meridian-${args.idempotencyKey}` });
    if (refund.status === 'failed' || refund.status === 'canceled') throw new Error(`Stripe refused the refund (${refund.status})`);
    return { refundId: refund.id, status: refund.status === 'succeeded' ? 'succeeded' as const : 'pending' as const };
  }
}

/** A Stripe event as Meridian understands it (exported for the tests' and docs' sake). */
export function normalizeStripeEvent(event: Stripe.Event): ProviderEvent {
  const base = { eventId: event.id, type: event.type };
  const o = event.data.object as Obj;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      // A session completed with a delayed method (bank debit) is 'unpaid' until async_payment_succeeded.
      if (o.payment_status !== 'paid') return { ...base, kind: 'ignored' };
      const paymentId = idOf(o.payment_intent);
      if (!paymentId || typeof o.amount_total !== 'number') return { ...base, kind: 'ignored' };
      const requestId = o.metadata?.[REQUEST_METADATA] ?? o.client_reference_id ?? undefined;
      return { ...base, kind: 'payment.succeeded', sessionId: o.id, ...(requestId ? { requestId } : {}), paymentId, amount: fromMinor(o.amount_total, o.currency), currency: String(o.currency).toUpperCase(), method: methodOf(o.payment_method_types) };
    }
    case 'checkout.session.async_payment_failed': {
      const requestId = o.metadata?.[REQUEST_METADATA] ?? o.client_reference_id ?? undefined;
      return { ...base, kind: 'payment.failed', sessionId: o.id, ...(requestId ? { requestId } : {}), reason: 'The payment failed after checkout' };
    }
    case 'checkout.session.expired': {
      const requestId = o.metadata?.[REQUEST_METADATA] ?? o.client_reference_id ?? undefined;
      return { ...base, kind: 'session.expired', sessionId: o.id, ...(requestId ? { requestId } : {}) };
    }
    case 'payment_intent.succeeded': {
      const requestId = o.metadata?.[REQUEST_METADATA];
      if (!requestId || typeof o.amount_received !== 'number') return { ...base, kind: 'ignored' };
      return { ...base, kind: 'payment.succeeded', requestId, paymentId: o.id, amount: fromMinor(o.amount_received, o.currency), currency: String(o.currency).toUpperCase(), method: methodOf(o.payment_method_types) };
    }
    case 'payment_intent.payment_failed': {
      const requestId = o.metadata?.[REQUEST_METADATA];
      if (!requestId) return { ...base, kind: 'ignored' };
      return { ...base, kind: 'payment.failed', requestId, reason: String(o.last_payment_error?.message ?? 'The payment failed') };
    }
    case 'charge.refunded': {
      const paymentId = idOf(o.payment_intent);
      if (!paymentId || typeof o.amount_refunded !== 'number') return { ...base, kind: 'ignored' };
      return { ...base, kind: 'refund.total', paymentId, reference: String(o.id), refunded: fromMinor(o.amount_refunded, o.currency), currency: String(o.currency).toUpperCase() };
    }
    default:
      return { ...base, kind: 'ignored' };
  }
}

function methodOf(types: unknown): 'card' | 'bank_transfer' | 'other' {
  const list = Array.isArray(types) ? types.map(String) : [];
  if (list.length === 0 || list.includes('card')) return 'card';
  if (list.some((t) => /bank|debit|ach|sepa|bacs|becs|acss/.test(t))) return 'bank_transfer';
  return 'other';
}
