import { sql } from 'kysely';
import { CronExpressionParser } from 'cron-parser';
import type { Platform } from '../kernel.ts';
import { eventJobs } from '../events/index.ts';
import { maintenanceJobs } from './boss.ts';

export interface JobOverview {
  name: string;
  /** '' for a job's own schedule; a schedule's key for dynamically created ones (a scheduled rule's id). */
  key: string;
  /** Who declares it: a module's name, `platform`, or `schedule` for schedules created at run time. */
  source: string;
  cron: string | null;
  timeZone: string;
  nextRun: string | null;
  lastRun: { state: string; startedAt: string | null; completedAt: string | null; durationMs: number | null; error: string | null } | null;
  /** Runs that ended failed in the last 24 hours, and the newest failure's time and message. */
  failures24h: number;
  lastFailure: { at: string | null; error: string | null } | null;
  /** Jobs waiting (created or retrying) and running now. */
  queued: number;
  active: number;
}

/**
 * Rows a module adds to the jobs page for work it schedules itself rather than through pg-boss's
 * schedules (automation's scheduled rules, fired by its minute job). Registered at start-up.
 */
export type JobSource = (platform: Platform) => Promise<JobOverview[]>;
const sources = new WeakMap<Platform, JobSource[]>();

export function registerJobSource(platform: Platform, source: JobSource): void {
  sources.set(platform, [...(sources.get(platform) ?? []), source]);
}

const iso = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

function nextRun(cron: string | null, timeZone: string): string | null {
  if (!cron) return null;
  try {
    return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date() }).next().toISOString();
  } catch {
    return null; // An rrule or an expression this parser reads differently: no next run rather than a wrong one.
  }
}

/** pg-boss's output of a failed job: its error message when it has one. */
function errorOf(output: unknown): string | null {
  if (output === null || output === undefined) return null;
  const o = (typeof output === 'string' ? JSON.parse(output) : output) as { message?: unknown; value?: unknown };
  const message = typeof o?.message === 'string' ? o.message : typeof o?.value === 'string' ? o.value : JSON.stringify(o);
  return message.slice(0, 500);
}

interface Stat { name: string; state: string | null; started_on: unknown; completed_on: unknown; output: unknown; failures: number; failed_on: unknown; failed_output: unknown; queued: number; active: number }

/**
 * Every job Meridian runs (AUT-5, issue 14 item 5): the platform's and each module's jobs with
 * their cron, plus the schedules created at run time in pg-boss's schedule table (automation's
 * scheduled rules), each with its last run, the next one (from the cron, in its zone), duration,
 * result and the failures of the last day — read from pg-boss's own tables (pg-boss 12: `job`,
 * `schedule`). Before the job queue has ever started there is no pg-boss schema: the jobs are
 * listed without runs.
 */
export async function listJobs(platform: Platform): Promise<JobOverview[]> {
  const declared = [
    ...maintenanceJobs.map((j) => ({ job: j, source: 'platform' })),
    ...eventJobs.map((j) => ({ job: j, source: 'platform' })),
    ...platform.modules.flatMap((m) => (m.jobs ?? []).map((j) => ({ job: j, source: m.name }))),
  ];
  const exists = await sql<{ ok: boolean }>`SELECT to_regclass('pgboss.job') IS NOT NULL AND to_regclass('pgboss.schedule') IS NOT NULL AS ok`.execute(platform.db);
  const stats = new Map<string, Stat>();
  let schedules: Array<{ name: string; key: string; cron: string; timezone: string | null }> = [];
  if (exists.rows[0]?.ok) {
    schedules = (await sql<{ name: string; key: string; cron: string; timezone: string | null }>`SELECT name, key, cron, timezone FROM pgboss.schedule ORDER BY name, key`.execute(platform.db)).rows;
    // One pass per queue: the newest run, the newest failure, and counts — pg-boss keeps finished jobs for its retention period.
    const r = await sql<Stat>`WITH runs AS (
        SELECT name, state::text AS state, started_on, completed_on, output,
          row_number() OVER (PARTITION BY name ORDER BY started_on DESC NULLS LAST) AS n_run,
          row_number() OVER (PARTITION BY name, state = 'failed' ORDER BY completed_on DESC NULLS LAST) AS n_state
        FROM pgboss.job)
      SELECT q.name,
        max(state) FILTER (WHERE n_run = 1 AND started_on IS NOT NULL) AS state,
        max(started_on) FILTER (WHERE n_run = 1) AS started_on,
        max(completed_on) FILTER (WHERE n_run = 1 AND started_on IS NOT NULL) AS completed_on,
        (array_agg(output) FILTER (WHERE n_run = 1 AND started_on IS NOT NULL))[1] AS output,
        count(*) FILTER (WHERE state = 'failed' AND completed_on > now() - interval '24 hours')::int AS failures,
        max(completed_on) FILTER (WHERE state = 'failed' AND n_state = 1) AS failed_on,
        (array_agg(output) FILTER (WHERE state = 'failed' AND n_state = 1))[1] AS failed_output,
        count(*) FILTER (WHERE state IN ('created', 'retry'))::int AS queued,
        count(*) FILTER (WHERE state = 'active')::int AS active
      FROM runs q GROUP BY q.name`.execute(platform.db);
    for (const s of r.rows) stats.set(s.name, s);
  }
  const row = (name: string, key: string, source: string, cron: string | null, timeZone: string): JobOverview => {
    const s = stats.get(name);
    const started = s?.started_on ? iso(s.started_on) : null;
    const completed = s?.completed_on ? iso(s.completed_on) : null;
    return {
      name, key, source, cron, timeZone, nextRun: nextRun(cron, timeZone),
      lastRun: s?.state ? { state: s.state, startedAt: started, completedAt: completed, durationMs: started && completed ? Date.parse(completed) - Date.parse(started) : null, error: s.state === 'failed' ? errorOf(s.output) : null } : null,
      failures24h: s?.failures ?? 0,
      lastFailure: s?.failed_on ? { at: iso(s.failed_on), error: errorOf(s.failed_output) } : null,
      queued: s?.queued ?? 0,
      active: s?.active ?? 0,
    };
  };
  const out = declared.map(({ job, source }) => row(job.name, '', source, job.cron ?? null, 'UTC'));
  const known = new Set(declared.filter((d) => d.job.cron).map((d) => d.job.name));
  // Schedules the declared jobs made are the rows above; the others were created at run time.
  for (const s of schedules) if (!(known.has(s.name) && s.key === '')) out.push(row(s.name, s.key, 'schedule', s.cron, s.timezone ?? 'UTC'));
  for (const source of sources.get(platform) ?? []) out.push(...(await source(platform)));
  return out;
}
