import { defineSettings, setting } from '../../platform/settings.ts';

/** Privacy and backup settings (docs/privacy.md, docs/operations.md). */
export const privacySettings = defineSettings('privacy', {
  pgDump: setting.text('MERIDIAN_PG_DUMP', 'pg_dump', 'pg_dump program for backups on PostgreSQL (its major version must be at least the server\'s)'),
  retentionDays: setting.integer('MERIDIAN_RETENTION_DAYS', 0, 'days a deleted record stays in the recycle bin before the nightly purge, for objects without their own retention (0 = kept until purged by hand)', { min: 0, max: 36500 }),
});
