import type { Platform } from '../../../platform/kernel.ts';
import { defineSettings } from '../../../platform/settings.ts';
import { providerSettingSpecs } from './settings.ts';
import { StripeProvider } from './stripeProvider.ts';
import { TestProvider, testProviderSecret } from './testProvider.ts';
import type { PaymentProvider } from './types.ts';

/**
 * Reads the providers' settings. They are declared with the payments module (index.ts spreads
 * providerSettingSpecs into its declaration), so this reads the same resolved values.
 */
export const providerSettings = defineSettings('payments', providerSettingSpecs);

/** Providers built per platform (never per module: tests boot several platforms side by side). */
const built = new WeakMap<Platform, Map<string, PaymentProvider | null>>();

function build(platform: Platform, name: string): PaymentProvider | null {
  const s = providerSettings.of(platform);
  if (name === 'test') return new TestProvider(platform, testProviderSecret(platform, s.testProviderSecret));
  if (name === 'stripe') {
    if (!s.stripeSecretKey || !s.stripeWebhookSecret) return null;
    return new StripeProvider({ secretKey: s.stripeSecretKey, webhookSecret: s.stripeWebhookSecret, apiBase: s.stripeApiBase, expiresInSeconds: s.paymentRequestHours * 3600 });
  }
  return null;
}

/**
 * A provider by name, when it is set up: Stripe once its keys are set (its webhooks keep being
 * received after switching providers: late events and refunds of earlier payments), the test
 * provider only while it is the chosen one (so a production server never accepts its payments).
 */
export function providerNamed(platform: Platform, name: string): PaymentProvider | null {
  if (name === 'test' && providerSettings.of(platform).paymentProvider !== 'test') return null;
  let map = built.get(platform);
  if (!map) built.set(platform, (map = new Map()));
  if (!map.has(name)) map.set(name, build(platform, name));
  return map.get(name) ?? null;
}

/** The provider new payments start with (MERIDIAN_PAYMENT_PROVIDER), or null: no online payment. */
export function activeProvider(platform: Platform): PaymentProvider | null {
  const name = providerSettings.of(platform).paymentProvider;
  return name === 'none' ? null : providerNamed(platform, name);
}

/** Forgets the built providers of a platform (tests that change settings). */
export function resetProviders(platform: Platform): void {
  built.delete(platform);
}
