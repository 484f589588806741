/** Cash reports (issue 13 items 7–8, FIN-8, docs/cash-reports.md): aging, DSO, cash collected, revenue by account tree. */
export { registerCashReportRoutes } from './routes.ts';
export { cashReportMigrations } from './migrations.ts';
export { agingReport, AGING_BUCKETS, type AgingReport, type AgingRow } from './aging.ts';
export { dsoTrend, accountDso, dsoByAccount, DSO_FORMULA, type DsoTrend, type DsoMonth, type AccountDso, type DsoFigures } from './dso.ts';
export { cashCollected, type CashCollected, type CashPeriod } from './cash.ts';
export { revenueByAccountTree, type RevenueByTree, type RevenueRow } from './revenue.ts';
