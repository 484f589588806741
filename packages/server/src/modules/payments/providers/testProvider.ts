import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Platform } from '../../../platform/kernel.ts';
import { SignatureError, type PaymentProvider, type ProviderEvent, type StartRequest } from './types.ts';

export const TEST_SIGNATURE_HEADER = 'meridian-test-signature';
/** Deliveries older (or newer) than this are refused: a captured delivery cannot be replayed later. */
const TOLERANCE_SECONDS = 300;

/**
 * The built-in test provider: Meridian's own hosted page (`/payments/test/<session>`, routes.ts)
 * with Pay and Decline buttons. No money moves. It takes the same path as a real provider —
 * the page's button makes the provider deliver a signed webhook to
 * `/api/v1/payment-webhooks/test` — so demos and first runs exercise the whole flow.
 * Deliveries are signed `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the test secret.
 */
export function testProviderSecret(platform: Platform, configured: string | undefined): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  return Buffer.from(hkdfSync('sha256', platform.signingKey, Buffer.alloc(0), 'meridian/test-payment-provider/v1', 32));
}

export function signTestDelivery(secret: Buffer, body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
}

export interface TestEventBody {
  id: string;
  type: 'payment.succeeded' | 'payment.failed' | 'session.expired' | 'refund.succeeded';
  data: { request?: string; session?: string; payment_id?: string; refund_id?: string; amount?: string; currency?: string; reason?: string };
}

export function testEvent(type: TestEventBody['type'], data: TestEventBody['data']): TestEventBody {
  return { id: `tevt_${randomBytes(12).toString('base64url')}`, type, data };
}

export class TestProvider implements PaymentProvider {
  readonly name = 'test';
  readonly #platform: Platform;
  readonly #secret: Buffer;
  constructor(platform: Platform, secret: Buffer) {
    this.#platform = platform;
    this.#secret = secret;
  }

  /** The session is derived from the request id: starting the same request again gives the same page. */
  async start(request: StartRequest) {
    const sessionId = `tps_${createHmac('sha256', this.#secret).update(`session:${request.id}`).digest('base64url').slice(0, 32)}`;
    return { sessionId, redirectUrl: `${this.#platform.config.publicUrl}/payments/test/${sessionId}` };
  }

  sign(body: string): string {
    return signTestDelivery(this.#secret, body);
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderEvent[] {
    const header = headers[TEST_SIGNATURE_HEADER];
    if (typeof header !== 'string') throw new SignatureError(`No ${TEST_SIGNATURE_HEADER} header`);
    const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
    const t = Number(parts.t);
    if (!Number.isInteger(t) || !parts.v1) throw new SignatureError('Malformed signature header');
    if (Math.abs(Date.now() / 1000 - t) > TOLERANCE_SECONDS) throw new SignatureError('Signature timestamp outside the tolerance');
    const expected = createHmac('sha256', this.#secret).update(`${t}.`).update(rawBody).digest();
    const given = Buffer.from(parts.v1, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SignatureError('Signature does not match');
    const body = JSON.parse(rawBody.toString('utf8')) as TestEventBody;
    if (typeof body?.id !== 'string' || typeof body.type !== 'string' || typeof body.data !== 'object' || !body.data) throw new SyntaxError('Not a test provider event');
    const d = body.data;
    const base = { eventId: body.id, type: body.type, ...(d.request ? { requestId: d.request } : {}), ...(d.session ? { sessionId: d.session } : {}) };
    switch (body.type) {
      case 'payment.succeeded':
        return [{ ...base, kind: 'payment.succeeded', paymentId: String(d.payment_id), amount: String(d.amount), currency: String(d.currency).toUpperCase(), method: 'card' }];
      case 'payment.failed':
        return [{ ...base, kind: 'payment.failed', reason: d.reason ?? 'Declined' }];
      case 'session.expired':
        return [{ ...base, kind: 'session.expired' }];
      case 'refund.succeeded':
        return [{ eventId: body.id, type: body.type, kind: 'refund.succeeded', paymentId: String(d.payment_id), refundId: String(d.refund_id), amount: String(d.amount), currency: String(d.currency).toUpperCase() }];
      default:
        return [{ eventId: body.id, type: String(body.type), kind: 'ignored' }];
    }
  }

  /** Refunds succeed at once (the refund id follows from the idempotency key: asking twice gives one refund). */
  async refund(args: { idempotencyKey: string }) {
    return { refundId: `tre_${createHmac('sha256', this.#secret).update(`refund:${args.idempotencyKey}`).digest('base64url').slice(0, 24)}`, status: 'succeeded' as const };
  }
}
