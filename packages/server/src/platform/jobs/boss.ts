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
  /**
   * When the job's next piece of work falls due (null: none waiting), for work due at a given
   * instant — a time-based workflow run — that must not wait for the next cron minute: wherever
   * jobs run, a timer runs the job in process at that instant (startDueTimers).
   */
  nextDueAt?: (platform: Platform) => Promise<Date | null>;
  run(platform: Platform, data: unknown): Promise<void>;
}

/** A due timer looks again at least this often: it sees work other processes queued (or queued sooner). */
export const DUE_TIMER_MAX_WAIT_MS = 15_000;

/**
 * One timer per job with `nextDueAt`: armed for the job's next due instant (at most
 * DUE_TIMER_MAX_WAIT_MS away), it runs the job when that instant has come, then arms again. So a
 * run due at 10:00:20 starts at 10:00:20, not with the 10:01 cron sweep; the cron stays as the
 * backstop. Runs in several processes at once are the job's own concern (automation's runs are
 * claimed with SKIP LOCKED). stop() waits for a run in progress.
 */
export function startDueTimers(platform: Platform, jobs: JobDefinition[]): { stop(): Promise<void> } {
  let stopped = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const running = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  // After a run, work still due is work another process holds (claimed, locked) or that fell due
  // meanwhile: look again a quarter-second later rather than spin on it.
  const arm = async (job: JobDefinition & { nextDueAt: NonNullable<JobDefinition['nextDueAt']> }, afterRun = false) => {
    if (stopped) return;
    let at: Date | null = null;
    try {
      at = await job.nextDueAt(platform);
    } catch (error) {
      platform.logger.error({ err: error, job: job.name }, 'reading when a job is next due failed; looking again shortly');
    }
    if (stopped) return;
    const wait = at ? Math.min(DUE_TIMER_MAX_WAIT_MS, Math.max(afterRun ? 250 : 0, at.getTime() - Date.now())) : DUE_TIMER_MAX_WAIT_MS;
    const due = at !== null && at.getTime() - Date.now() <= DUE_TIMER_MAX_WAIT_MS;
    const timer = setTimeout(() => {
      timers.delete(timer);
      track(
        (async () => {
          try {
            if (due && !stopped) await job.run(platform, {});
          } catch (error) {
            platform.logger.error({ err: error, job: job.name }, 'a job run by its due timer failed');
          }
          await arm(job, due);
        })(),
      );
    }, wait);
    timers.add(timer);
  };
  for (const job of jobs) if (job.nextDueAt) track(arm(job as Parameters<typeof arm>[0]));
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
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
  const dueTimers = startDueTimers(platform, jobs);
  const stopBoss = boss.stop.bind(boss);
  boss.stop = async (options) => {
    await dueTimers.stop();
    await events.stop();
    await stopBoss(options);
  };
  return boss;
}
