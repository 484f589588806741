import { defineSettings, setting, type SettingSpec } from '../../platform/settings.ts';

/** `lead=30,contact=365`: days per object API name. */
export function parseRetention(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z][a-z0-9_]*)=(\d{1,5})$/.exec(part);
    if (!m) throw new Error(`must be object=days pairs separated by commas (e.g. lead=30,contact=365), got '${part}'`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

const retentionPerObject: SettingSpec<Record<string, number>> = {
  env: 'MERIDIAN_RETENTION_DAYS_PER_OBJECT',
  default: {},
  doc: 'days a deleted record of an object stays in the recycle bin, per object (lead=30,contact=365); overrides MERIDIAN_RETENTION_DAYS',
  parse: parseRetention,
};

/** Privacy and backup settings (docs/privacy.md, docs/operations.md). */
export const privacySettings = defineSettings('privacy', {
  pgDump: setting.text('MERIDIAN_PG_DUMP', 'pg_dump', 'pg_dump program for backups on PostgreSQL (its major version must be at least the server\'s)'),
  retentionDays: setting.integer('MERIDIAN_RETENTION_DAYS', 0, 'days a deleted record stays in the recycle bin before the nightly purge, for objects without their own retention (0 = kept until purged by hand)', { min: 0, max: 36500 }),
  retentionPerObject,
});
