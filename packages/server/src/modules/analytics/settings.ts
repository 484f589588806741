import { defineSettings, setting } from '../../platform/settings.ts';

/** Analytics' settings (docs/analytics.md, docs/operations.md). */
export const analyticsSettings = defineSettings('analytics', {
  maxGroups: setting.integer('MERIDIAN_AGGREGATE_MAX_GROUPS', 10_000, 'most groups one aggregate or grouped report may return (more is refused with a clear message, never held in memory)', { min: 10, max: 1_000_000 }),
  dashboardCacheSeconds: setting.integer('MERIDIAN_DASHBOARD_CACHE_SECONDS', 300, 'how long a slow dashboard answer is kept per viewer and shown "as of" its time (0: never kept; Refresh always runs anew)', { min: 0, max: 86_400 }),
  dashboardCacheMinMs: setting.integer('MERIDIAN_DASHBOARD_CACHE_MIN_MS', 1_000, 'a dashboard answer is kept only when running it took at least this long: small installations always see live numbers', { min: 0, max: 600_000 }),
  mailMaxRows: setting.integer('MERIDIAN_REPORT_MAIL_MAX_ROWS', 10_000, "most rows a scheduled report's e-mail attachment holds (the e-mail says when a report had more; a download has no cap)", { min: 10, max: 1_000_000 }),
});
