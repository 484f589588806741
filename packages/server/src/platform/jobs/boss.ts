import { PgBoss, fromPglite, type Db } from 'pg-boss';
import { sql } from 'kysely';
import type { Platform } from '../kernel.ts';
import { eventJobs, startEventBackbone } from '../events/index.ts';

/**
 * pg-boss on the same database as the records. On PGlite its statements go through the same
 * mutex as Kysely's (see db/pglite-dialect.ts) so a job query never lands inside a request's
 * open transaction on the single session.
 */
export function createBoss(platform: Platform): PgBoss {
  const { database } = platform;
  if (database.kind === 'postgres') {
    return new PgBoss({ connectionString: database.connectionString!, schema: 'pgboss', max: 4 });
  }
  const inner = fromPglite(database.pglite!);
  const mutex = database.mutex!;
  const db: Db = {
    executeSql: (text, values) => mutex.run(() => inner.executeSql(text, values)),
  };
  return new PgBoss({ db, backend: 'pglite', schema: 'pgboss' });
}

export interface JobDefinition {
  name: string;
  /** Cron expression (UTC) for recurring jobs. */
  cron?: string;
  run(platform: Platform, data: unknown): Promise<void>;
}

/** Housekeeping that keeps system tables small. */
export const maintenanceJobs: JobDefinition[] = [
  {
    name: 'maintenance.expire',
    cron: '17 * * * *',
    async run(platform) {
      await sql`DELETE FROM idempotency_key WHERE created_at < now() - interval '24 hours'`.execute(platform.db);
      await sql`DELETE FROM auth_session WHERE expires_at < now()`.execute(platform.db);
    },
  },
];

export async function startJobs(platform: Platform, jobs: JobDefinition[] = [...maintenanceJobs, ...eventJobs, ...platform.modules.flatMap((m) => m.jobs ?? [])]): Promise<PgBoss> {
  const boss = createBoss(platform);
  boss.on('error', (error) => platform.logger.error({ err: error }, 'job queue error'));
  await boss.start();
  for (const job of jobs) {
    await boss.createQueue(job.name);
    await boss.work(job.name, async (batch) => {
      for (const j of batch) await job.run(platform, j.data);
    });
    if (job.cron) await boss.schedule(job.name, job.cron);
  }
  // The outbox dispatcher and webhook deliveries run wherever jobs run (start and worker), and
  // stop with them, before the database is closed.
  const events = await startEventBackbone(platform);
  const stopBoss = boss.stop.bind(boss);
  boss.stop = async (options) => {
    await events.stop();
    await stopBoss(options);
  };
  return boss;
}
