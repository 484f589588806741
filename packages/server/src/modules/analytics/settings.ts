import { defineSettings, setting } from '../../platform/settings.ts';

/** Analytics' settings (docs/analytics.md, docs/operations.md). */
export const analyticsSettings = defineSettings('analytics', {
  maxGroups: setting.integer('MERIDIAN_AGGREGATE_MAX_GROUPS', 10_000, 'most groups one aggregate or grouped report may return (more is refused with a clear message, never held in memory)', { min: 10, max: 1_000_000 }),
});
