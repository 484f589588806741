import type { HookRegistry } from '../../platform/records/hooks.ts';
import { checkProduct, checkTaxRate, keepSpecProduct, normaliseUnitCode, requireExemptionCertificate } from './rules/catalogue.ts';
import { checkPriceBook, keepOneStandardBook, preparePriceBookEntry } from './rules/priceBook.ts';
import { checkExchangeRate } from './rules/exchangeRate.ts';

const SAVE = ['create', 'update'] as const;

/** Billing's rules on the record pipeline: they hold for REST, bulk, imports and automation alike. */
export function registerBillingHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'billing.product', object: 'product', operations: [...SAVE], run: checkProduct });
  hooks.register('beforeSave', { name: 'billing.unitCode', object: 'unit_of_measure', operations: [...SAVE], run: normaliseUnitCode });
  hooks.register('beforeSave', { name: 'billing.specProduct', object: 'product_spec', operations: ['update'], run: keepSpecProduct });
  hooks.register('beforeSave', { name: 'billing.taxRate', object: 'tax_rate', operations: [...SAVE], run: checkTaxRate });
  hooks.register('beforeSave', { name: 'billing.taxExemption', object: 'account', operations: [...SAVE], run: requireExemptionCertificate });
  hooks.register('beforeSave', { name: 'billing.priceBook', object: 'price_book', operations: [...SAVE], run: checkPriceBook });
  hooks.register('afterSave', { name: 'billing.oneStandardBook', object: 'price_book', operations: [...SAVE], run: keepOneStandardBook });
  hooks.register('beforeSave', { name: 'billing.priceBookEntry', object: 'price_book_entry', operations: [...SAVE], run: preparePriceBookEntry });
  hooks.register('beforeSave', { name: 'billing.exchangeRate', object: 'exchange_rate', operations: [...SAVE], run: checkExchangeRate });
}
