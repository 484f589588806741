import { defineModule } from '../../platform/module.ts';
import { paymentObjects } from './objects.ts';
import { registerPaymentRoutes } from './routes.ts';
import { paymentMigrations, startPayments } from './startup.ts';
import { paymentSettings } from './settings.ts';
import { defineSettings } from '../../platform/settings.ts';
import { providerMigrations, providerObjects, providerSettingSpecs, registerProviderRoutes } from './providers/index.ts';
import { cashReportMigrations, registerCashReportRoutes } from './reports/index.ts';

/**
 * Payments (docs/payments.md): payments and their allocation to invoices, customer credit,
 * refunds and reversals, balances and aging. Invoicing keeps the invoices' figures (its exported
 * settleInvoice); this module decides what is allocated where.
 */
export const paymentsModule = defineModule({
  name: 'payments',
  objects: [...paymentObjects, ...providerObjects],
  routes: (app, platform) => {
    registerPaymentRoutes(app, platform);
    registerProviderRoutes(app, platform);
    registerCashReportRoutes(app, platform);
  },
  migrations: [...paymentMigrations, ...providerMigrations, ...cashReportMigrations],
  // The providers' settings (providers/settings.ts) are part of the module's one declaration.
  settings: defineSettings('payments', { ...paymentSettings.specs, ...providerSettingSpecs }),
  startup: startPayments,
  events: [
    { type: 'payment.received', description: 'A payment was recorded (number, account, amount, currency, method, what is left unallocated)' },
    { type: 'payment.allocated', description: 'Part of a payment was applied to invoices (which, how much)' },
    { type: 'payment.refunded', description: "Part of a payment's credit was paid back" },
    { type: 'payment.reversed', description: 'A payment was reversed (a bounced check, a charge-back); the invoices it paid are open again' },
  ],
});

export { PAYMENT_METHODS, type PaymentMethod } from './objects.ts';
export { recordPayment, type RecordPaymentInput, type PaymentResult } from './commands/record.ts';
export { allocatePayment } from './commands/allocate.ts';
export { refundPayment, type RefundInput } from './commands/refund.ts';
export { reversePayment } from './commands/reverse.ts';
export { accountBalance, accountTree, type AccountBalance, type CurrencyBalance } from './queries/balance.ts';
export { agingReport, dsoTrend, accountDso, dsoByAccount, cashCollected, revenueByAccountTree, DSO_FORMULA } from './reports/index.ts';
export { startPayment, refundThroughProvider, receiveWebhook, type StartPaymentArgs, type PaymentProvider, type ProviderEvent } from './providers/index.ts';
