import type { HookRegistry } from '../../../platform/records/hooks.ts';
import { saveQuote } from './rules/quote.ts';
import { deleteQuote, deleteQuoteLine, lockQuoteFirst, restoreQuote, restoreQuoteLine, saveQuoteLine } from './rules/quoteLine.ts';
import { deleteOpportunityLine, saveOpportunityLine, syncOpportunityAmounts } from './rules/opportunityLine.ts';

const SAVE = ['create', 'update'] as const;

/** The quotes' and opportunity products' rules on the record pipeline (every entry point: REST, bulk, imports, commands). */
export function registerQuoteHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'billing.quote', object: 'quote', operations: [...SAVE], run: saveQuote });
  hooks.register('beforeDelete', { name: 'billing.quoteDelete', object: 'quote', run: deleteQuote });
  hooks.register('beforeLock', { name: 'billing.quoteLineLock', object: 'quote_line', run: lockQuoteFirst });
  hooks.register('beforeSave', { name: 'billing.quoteLine', object: 'quote_line', operations: [...SAVE], run: saveQuoteLine });
  hooks.register('beforeDelete', { name: 'billing.quoteLineDelete', object: 'quote_line', run: deleteQuoteLine });
  hooks.register('beforeSave', { name: 'billing.opportunityLine', object: 'opportunity_line', operations: [...SAVE], run: saveOpportunityLine });
  hooks.register('afterSave', { name: 'billing.opportunityAmounts', object: 'opportunity_line', operations: [...SAVE, 'restore'], run: syncOpportunityAmounts });
  hooks.register('afterSave', { name: 'billing.quoteRestore', object: 'quote', operations: ['restore'], run: restoreQuote });
  hooks.register('afterSave', { name: 'billing.quoteLineRestore', object: 'quote_line', operations: ['restore'], run: restoreQuoteLine });
  hooks.register('beforeDelete', { name: 'billing.opportunityLineDelete', object: 'opportunity_line', run: deleteOpportunityLine });
}
