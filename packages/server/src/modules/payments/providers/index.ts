/**
 * Payment providers (docs/payments.md, "Providers"): online payment through a pluggable provider —
 * the built-in test provider and Stripe. What the payments module registers and exports.
 */
export { providerObjects, paymentRequest, REQUEST_STATUSES, type RequestStatus } from './objects.ts';
export { providerMigrations } from './migrations.ts';
export { providerSettingSpecs, PROVIDER_NAMES, type ProviderName } from './settings.ts';
export { registerProviderRoutes } from './routes.ts';
export { startPayment, type StartPaymentArgs } from './start.ts';
export { refundThroughProvider } from './refund.ts';
export { receiveWebhook, applyEvent, type EventResult } from './webhook.ts';
export { activeProvider, providerNamed, providerSettings, resetProviders } from './registry.ts';
export type { PaymentProvider, ProviderEvent, StartRequest } from './types.ts';
export { SignatureError } from './types.ts';
