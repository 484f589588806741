import { defineModule } from '../../platform/module.ts';
import { accountFields, invoicingObjects, orderFields } from './objects.ts';
import { registerInvoicingHooks } from './hooks.ts';
import { registerInvoicingRoutes } from './routes.ts';
import { registerPayRoutes } from './pay/routes.ts';
import { invoicingMigrations } from './startup.ts';
import { invoicingSettings } from './settings.ts';
import { invoicingFactories } from './factories.ts';
import { registerInvoiceQueryRoutes } from './queries/routes.ts';
import { registerExportRoutes } from './export/routes.ts';
import { RUN_INVOICES, invoiceRun, registerRunRoutes, runJobs, startRuns } from './runs/index.ts';

/**
 * Invoicing (docs/invoicing.md): invoices and credit notes on billing's priced-document layer —
 * drafts, posting with gapless numbers per series and year, credit notes and voiding, the PDF
 * with the pay link, and automatic e-mail per account.
 */
export const invoicingModule = defineModule({
  name: 'invoicing',
  objects: [...invoicingObjects, invoiceRun],
  // Orders are listed before invoicing in the composition root: an invoice line names its order.
  fieldsFor: { account: accountFields, order: orderFields },
  hooks: registerInvoicingHooks,
  routes: (app, platform) => {
    registerInvoicingRoutes(app, platform);
    registerPayRoutes(app, platform);
    registerRunRoutes(app, platform);
    registerInvoiceQueryRoutes(app, platform);
    registerExportRoutes(app, platform);
  },
  jobs: runJobs,
  startup: startRuns,
  capabilities: [{ name: RUN_INVOICES, label: 'Run invoicing', description: 'Start the monthly invoicing run by hand' }],
  migrations: invoicingMigrations,
  settings: invoicingSettings,
  factories: invoicingFactories,
  events: [
    { type: 'invoice.posted', description: 'An invoice or credit note was posted (number, kind, account, currency, total, dates)' },
    { type: 'invoice.credited', description: 'A credit note was posted against an invoice (its number and amount, the open amount left)' },
    { type: 'invoice.voided', description: 'An invoice was voided (the credit note for what was open)' },
    { type: 'invoice.paid', description: 'Payments now cover what is open on an invoice (number, account, total, the payment that closed it)' },
    { type: 'invoice.reopened', description: 'A paid invoice is open again: a payment was reversed or moved off it' },
  ],
});

export { INVOICE } from './kind.ts';
export { INVOICE_STATUSES, type InvoiceStatus } from './objects.ts';
export { createInvoice, type CreateInvoiceInput, type CopiedLine } from './commands/create.ts';
export { postInvoice } from './commands/post.ts';
export { creditInvoice, type CreditInput } from './commands/credit.ts';
export { sendInvoice } from './commands/send.ts';
export { settleInvoice, type SettleInput } from './commands/settle.ts';
export { invoiceOrders } from './commands/invoiceOrders.ts';
export { renderInvoicePdf } from './document/render.ts';
export { annotateInvoice } from './commands/annotate.ts';
export { payLinksOf } from './pay/batch.ts';
export { invoicedRevenueLines, type InvoicedLine } from './queries/revenueLines.ts';
export { invoicingSettings } from './settings.ts';
export { invoiceOfToken } from './pay/links.ts';
export { setPayPageAction, type PayPageAction, type PayPageActionSource } from './pay/actions.ts';
