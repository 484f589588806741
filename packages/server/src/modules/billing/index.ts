import { defineModule } from '../../platform/module.ts';
import { accountFields, billingObjects, contactFields } from './objects.ts';
import { registerBillingHooks } from './hooks.ts';
import { registerBillingRoutes } from './routes.ts';
import { billingMigrations, startBilling } from './startup.ts';
import { billingSettings } from './settings.ts';
import { billingFactories } from './factories.ts';
import { quoteObjects } from './quotes/objects.ts';
import { registerQuoteHooks } from './quotes/hooks.ts';
import { registerQuoteRoutes } from './quotes/routes.ts';
import { registerQuoteLinkRoutes } from './quotes/public/routes.ts';
import { registerEmailTemplateHooks, registerQuoteEmailRoutes } from './quotes/email/routes.ts';
import { emailTemplate } from './quotes/email/objects.ts';
import { quoteJobs, quoteMigrations } from './quotes/startup.ts';
import { quoteFactories } from './quotes/factories.ts';
import { APPROVE_DISCOUNTS } from './quotes/commands/send.ts';

/**
 * Billing (docs/billing.md): the money kernel, currencies and exchange rates, taxes, the product
 * catalogue and price books, and price resolution. Quotes, orders and invoices build on what
 * this file exports.
 */
export const billingModule = defineModule({
  name: 'billing',
  objects: [...billingObjects, ...quoteObjects, emailTemplate],
  fieldsFor: { account: accountFields, contact: contactFields },
  hooks: (hooks) => {
    registerBillingHooks(hooks);
    registerQuoteHooks(hooks);
    registerEmailTemplateHooks(hooks);
  },
  routes: (app, platform) => {
    registerBillingRoutes(app, platform);
    registerQuoteRoutes(app, platform);
    registerQuoteLinkRoutes(app, platform);
    registerQuoteEmailRoutes(app, platform);
  },
  jobs: quoteJobs,
  migrations: [...billingMigrations, ...quoteMigrations],
  settings: billingSettings,
  startup: startBilling,
  factories: { ...billingFactories, ...quoteFactories },
  events: [{ type: 'quote.accepted', description: 'A customer accepted a quote (signer, chosen optional lines, accepted total, the deal’s outcome)' }],
  capabilities: [
    { name: APPROVE_DISCOUNTS, label: 'Send discounted quotes without approval', description: "Send quotes whose discount is above the approval limit without the manager's approval" },
  ],
});

export * from './money/index.ts';
export { billingSettings } from './settings.ts';
export { roundingPolicy } from './context.ts';
export { resolvePrice, resolvePrices, type PriceAnswer, type PriceQuestion } from './queries/resolvePrice.ts';
export { determineTaxes, type ApplicableTax, type TaxDetermination } from './queries/taxes.ts';
export { convertAmount, findExchangeRate, type AppliedRate, type Conversion } from './exchange/convert.ts';
export { importExchangeRates } from './exchange/import.ts';
export {
  convertedAmount, corporateRatesFor, currencyChoices, forgetRates, inCorporate, knownRates, rateCase, toCorporate, unconvertedWarning, unconvertible, type CorporateRates,
} from './exchange/corporate.ts';
export { manualRateProvider, refreshExchangeRates, type ExchangeRateProvider } from './exchange/provider.ts';
export * from './quotes/index.ts';
export type { DocumentKind } from './documents/kind.ts';
export { amountField, currencyValues, documentTotalFields, pricedLineFields, productLineFields } from './documents/fields.ts';
export {
  documentColumns, figuresOf, lineColumns, lockDocument, lockDocuments, recalculateDocument, retotalDocument, roundingText, storeDocumentTotals, storedDocumentLines, totalsOf,
  type DocumentFigures, type DocumentRow,
} from './documents/lines.ts';
export { saveDocumentLine } from './documents/saveLine.ts';
export { deferredTotals, withDeferredTotals } from './documents/batch.ts';
export { asDocumentCommand, inDocumentCommand, isDocumentDeleting, markDocumentDeleting } from './documents/scope.ts';
export { isBlank, isRealDate, readRecord, refuse, tableOf, today } from './context.ts';
export { prefixErrors, readDocumentLines, readLinesOfDocuments, writeDocumentLines, writeLinesOfDocuments } from './documents/create.ts';
export { drawDocumentPdf, type DocumentClosing } from './quotes/document/draw.ts';
export { documentLocale, readDocumentInput } from './quotes/document/read.ts';
export { documentFormat } from './quotes/document/format.ts';
export { renderEmail } from './quotes/email/template.ts';
export { documentFonts } from './quotes/document/fonts.ts';
export { checkDocumentHeader, headerTotals } from './documents/header.ts';
export { documentLineRules } from './documents/lineRules.ts';
export { checkAddresses } from './quotes/email/send.ts';
export { runDocumentCommand, setDocumentValues } from './documents/command.ts';
export { QUOTE } from './quotes/recalculate.ts';
export { drawQrCode, drawPageFooters } from './documents/pdf.ts';
