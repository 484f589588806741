import { sql } from 'kysely';
import type { JobDefinition } from '../../platform/jobs/boss.ts';

/** Housekeeping: expired sessions and links older than a day go; the access log stays a year. */
export const portalJobs: JobDefinition[] = [
  {
    name: 'portal.expire',
    cron: '41 * * * *',
    async run(platform) {
      await sql`DELETE FROM portal_session WHERE expires_at < now()`.execute(platform.db);
      await sql`DELETE FROM portal_sign_in_link WHERE expires_at < now() - interval '1 day'`.execute(platform.db);
      await sql`DELETE FROM portal_access_log WHERE occurred_at < now() - interval '1 year'`.execute(platform.db);
    },
  },
];
