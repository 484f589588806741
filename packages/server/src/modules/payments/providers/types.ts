import type { Platform } from '../../../platform/kernel.ts';

/**
 * A payment provider (docs/payments.md, "Providers"): where a customer pays online. Meridian asks
 * it for a hosted page for one payment request, learns the outcome only from the provider's signed
 * webhooks, and asks it to pay money back. Implementations: the built-in test provider
 * (testProvider.ts) and Stripe (stripeProvider.ts).
 */
export interface PaymentProvider {
  /** Lower-case, stable: stored on requests, payments and webhook events, and the webhook URL's last segment. */
  readonly name: string;
  /**
   * Creates the provider's checkout for one request and answers where to send the payer. Must be
   * idempotent per `request.id` (a retried start gives the same session, never a second charge)
   * and must carry `request.id` so every later event names it.
   */
  start(request: StartRequest): Promise<{ sessionId: string; redirectUrl: string; expiresAt?: string }>;
  /**
   * Verifies a webhook delivery's signature over the exact raw bytes and reads its events. Throws
   * SignatureError when the signature is missing, wrong or too old — nothing is recorded then.
   */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderEvent[];
  /** Pays back part or all of a payment. Idempotent per `idempotencyKey`. */
  refund(args: { paymentId: string; amount: string; currency: string; idempotencyKey: string; reason?: string }): Promise<{ refundId: string; status: 'succeeded' | 'pending' }>;
}

export interface StartRequest {
  /** The payment_request's id (metadata / client reference at the provider). */
  id: string;
  /** Exact decimal in major units, e.g. "115.50". */
  amount: string;
  /** ISO 4217, upper case. */
  currency: string;
  /** What the payer sees, e.g. "Invoices INV-2026-00042, INV-2026-00043". */
  description: string;
  /** Where the provider sends the payer back to after paying or cancelling. */
  returnUrl: string;
  cancelUrl: string;
  email?: string;
}

/**
 * What Meridian understands of a provider's webhook event. `eventId` is the provider's own id of
 * the event (deduplication key with the provider's name). Amounts are exact decimals in major
 * units, currencies upper case.
 */
export type ProviderEvent =
  | { kind: 'payment.succeeded'; eventId: string; type: string; requestId?: string; sessionId?: string; paymentId: string; amount: string; currency: string; method?: 'card' | 'bank_transfer' | 'other' }
  | { kind: 'payment.failed'; eventId: string; type: string; requestId?: string; sessionId?: string; reason: string }
  | { kind: 'session.expired'; eventId: string; type: string; requestId?: string; sessionId?: string }
  /** One refund the provider made (its id makes it idempotent). */
  | { kind: 'refund.succeeded'; eventId: string; type: string; paymentId: string; refundId: string; amount: string; currency: string }
  /** The total refunded so far on a payment (Stripe's charge.refunded): what Meridian has not recorded yet is recorded. */
  | { kind: 'refund.total'; eventId: string; type: string; paymentId: string; reference: string; refunded: string; currency: string }
  | { kind: 'ignored'; eventId: string; type: string };

export class SignatureError extends Error {
  override name = 'SignatureError';
}

/** Builds a provider for a platform from its settings; null when it is not configured. */
export type ProviderFactory = (platform: Platform, deliver: (rawBody: string, headers: Record<string, string>) => Promise<{ status: number }>) => PaymentProvider | null;
