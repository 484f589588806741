import type { ModuleMigration } from '../../../platform/module.ts';

/**
 * The cash reports' migrations (ids `payments/<id>`, appended to the module's list). None so far:
 * bench/cash.ts measures the aging report at 1.04× (today) and 0.90× (as of a past day) the
 * hand-written SQL over 1,000,000 invoices with the existing indexes (docs/performance.md).
 */
export const cashReportMigrations: ModuleMigration[] = [];
