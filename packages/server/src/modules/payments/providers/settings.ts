import { setting, type SettingSpec } from '../../../platform/settings.ts';

export const PROVIDER_NAMES = ['none', 'test', 'stripe'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * The payment providers' settings (docs/operations.md, "Online payments"), part of the payments
 * module's declaration. Secrets are read from here only and never logged or answered.
 */
export const providerSettingSpecs = {
  paymentProvider: {
    env: 'MERIDIAN_PAYMENT_PROVIDER',
    default: 'none',
    doc: "where customers pay online: none (no Pay now button), test (Meridian's own test page: no money moves — demos, tests, a first run) or stripe",
    parse(raw: string) {
      const v = raw.trim().toLowerCase();
      if (!(PROVIDER_NAMES as readonly string[]).includes(v)) throw new Error(`must be one of ${PROVIDER_NAMES.join(', ')}, got '${raw}'`);
      return v as ProviderName;
    },
  } satisfies SettingSpec<ProviderName>,
  stripeSecretKey: setting.optionalText('MERIDIAN_STRIPE_SECRET_KEY', "Stripe's secret API key (sk_live_… / sk_test_…, or a restricted key with Checkout Sessions and Refunds write)"),
  stripeWebhookSecret: setting.optionalText('MERIDIAN_STRIPE_WEBHOOK_SECRET', "the signing secret of the Stripe webhook endpoint (whsec_…) pointing to /api/v1/payment-webhooks/stripe"),
  stripeApiBase: {
    env: 'MERIDIAN_STRIPE_API_BASE',
    default: undefined,
    doc: "another base URL for Stripe's API (a local stand-in for tests; never set in production)",
    parse(raw: string) {
      const u = new URL(raw.trim());
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`must be an http(s) URL, got '${raw}'`);
      return u.origin;
    },
  } satisfies SettingSpec<string | undefined>,
  testProviderSecret: setting.optionalText('MERIDIAN_TEST_PAYMENT_SECRET', "the HMAC secret the test provider signs its webhooks with (default: derived from the server's signing key)"),
  paymentRequestHours: setting.integer('MERIDIAN_PAYMENT_REQUEST_HOURS', 24, 'hours a started online payment stays open (Stripe allows 0.5–24)', { min: 1, max: 24 }),
};
