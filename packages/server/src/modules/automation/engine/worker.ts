import { sql, type Transaction } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { drainOnWake } from '../../../platform/jobs/wake.ts';
import { notifyUser, pingNotificationStreams } from '../../../platform/notifications/store.ts';
import { UnitOfWork, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord, getRecordsById } from '../../../platform/records/read.ts';
import { automationAction } from '../actions/registry.ts';
import { automationSettings } from '../settings.ts';
import { ruleById } from './cache.ts';
import { withChain } from './chain.ts';
import { conditionMet, lookupsOf, templateScope } from './match.ts';

const BATCH = 50;

export interface RunRow {
  id: string;
  rule_id: string;
  object: string;
  record_id: string;
  depth: number;
  chain: string[];
  acted_for: string | null;
  snapshot: ApiRecord | null;
  attempts: number;
  due_at: Date | null;
}

export interface ActionOutcome {
  index: number;
  type: string;
  status: 'succeeded' | 'failed';
  result?: Record<string, unknown>;
  error?: string;
  ms: number;
}

export function describeError(error: unknown): string {
  if (error instanceof AppError) return [error.message, ...error.errors.map((e) => `${e.field}: ${e.message}`)].join('; ').slice(0, 2000);
  return String((error as Error)?.message ?? error).slice(0, 2000);
}

/** Wait before attempt n+1: retrySeconds × 4^(n−1), at most an hour. */
function retryDelaySeconds(platform: Platform, attempts: number): number {
  return Math.min(3600, automationSettings.of(platform).retrySeconds * 4 ** (attempts - 1));
}

async function finish(trx: Transaction<any>, id: string, status: string, fields: { actions?: ActionOutcome[]; error?: string | null; ms?: number }) {
  await sql`UPDATE automation_run SET status = ${status}, attempts = attempts + 1, actions = ${JSON.stringify(fields.actions ?? [])}::jsonb,
    error = ${fields.error ?? null}, duration_ms = ${fields.ms ?? 0}, finished_at = now() WHERE id = ${id}`.execute(trx);
}

/** The batch's succeeded runs, logged in one UPDATE at its end (most runs succeed: one statement instead of one per run). */
async function finishSucceeded(trx: Transaction<any>, done: Array<{ id: string; actions: ActionOutcome[]; ms: number }>) {
  if (!done.length) return;
  await sql`UPDATE automation_run AS r SET status = 'succeeded', attempts = r.attempts + 1, actions = d.actions, error = NULL, duration_ms = d.ms, finished_at = now()
    FROM jsonb_to_recordset(${JSON.stringify(done)}::jsonb) AS d(id uuid, actions jsonb, ms integer) WHERE r.id = d.id`.execute(trx);
}

/**
 * A failing action in a batch run without savepoints: the batch's transaction is abandoned and
 * the batch run again, each run under its own savepoint.
 */
class UnguardedRunFailed extends Error {}

interface Batch {
  platform: Platform;
  trx: Transaction<any>;
  uow: UnitOfWork;
  /** Each run under its own savepoint (a failure undoes that run only); else a failure abandons the batch. */
  guarded: boolean;
  succeeded: Array<{ id: string; actions: ActionOutcome[]; ms: number }>;
  /** Records loaded for the whole batch at its start (see preloadRecords). */
  preloaded: Map<string, ApiRecord>;
}

/**
 * Runs one claimed run's actions in order in the batch's transaction: the actions' writes and the
 * run's `succeeded` commit together (a worker killed mid-run leaves the run pending and its writes
 * undone, so the next worker runs it once). A failing action undoes the run's writes; the run is
 * retried with backoff, then shown failed and the rule's owner notified.
 */
async function runOne(batch: Batch, run: RunRow): Promise<'succeeded' | 'failed' | 'retry' | 'skipped'> {
  const { platform, trx } = batch;
  const started = Date.now();
  // The run's own after-commit work: kept (moved to the batch's) only when the run's writes are.
  const uow = new UnitOfWork();
  const base: TxContext = { platform, actor: { userId: run.acted_for, isAdmin: true, via: 'workflow', timeZone: 'UTC', locale: 'en-US' }, trx, uow };
  const rule = await ruleById(base, run.rule_id);
  const object = platform.registry.getObject(run.object);
  if (!rule || !object) {
    await finish(trx, run.id, 'skipped', { error: 'The rule is no longer active' });
    return 'skipped';
  }
  let record = run.snapshot ?? batch.preloaded.get(run.record_id) ?? null;
  if (!record) {
    try {
      record = await getRecord({ ctx: base, object, id: run.record_id });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'not_found')) throw error;
      await finish(trx, run.id, 'skipped', { error: `The ${object.label.toLowerCase()} no longer exists` });
      return 'skipped';
    }
  }
  // A time-based run is re-evaluated when it fires: the record may have changed since it was planned.
  if (run.due_at && !(await conditionMet(base, { ...rule, onlyOnChange: false }, 'update', record))) {
    await finish(trx, run.id, 'skipped', { error: 'Cancelled when it was due: the condition no longer holds' });
    return 'skipped';
  }
  const ctx = withChain(base, { depth: run.depth, path: run.chain, ruleId: rule.id });
  const outcomes: ActionOutcome[] = [];
  if (batch.guarded) await sql`SAVEPOINT automation_run`.execute(trx);
  let index = 0;
  let t = Date.now();
  try {
    const scope = await templateScope(ctx, object, record, lookupsOf(rule));
    for (const a of rule.actions) {
      t = Date.now();
      const action = automationAction(a.type);
      if (!action) throw new Error(`No action '${a.type}' is registered`);
      const result = await action.run({ ctx, config: a.config, object, record, scope, rule: { id: rule.id, name: rule.name, owner: rule.owner }, actedFor: run.acted_for, afterCommit: (fn) => uow.afterCommit(fn) });
      outcomes.push({ index, type: a.type, status: 'succeeded', result, ms: Date.now() - t });
      index++;
    }
    if (batch.guarded) await sql`RELEASE SAVEPOINT automation_run`.execute(trx);
  } catch (error) {
    if (!batch.guarded) throw new UnguardedRunFailed(describeError(error));
    await sql`ROLLBACK TO SAVEPOINT automation_run`.execute(trx);
    const message = describeError(error);
    outcomes.push({ index, type: rule.actions[index]?.type ?? '?', status: 'failed', error: message, ms: Date.now() - t });
    const attempts = run.attempts + 1;
    const { maxAttempts } = automationSettings.of(platform);
    if (attempts < maxAttempts) {
      await sql`UPDATE automation_run SET attempts = ${attempts}, actions = ${JSON.stringify(outcomes)}::jsonb, error = ${message}, duration_ms = ${Date.now() - started},
        next_attempt_at = now() + make_interval(secs => ${retryDelaySeconds(platform, attempts)}) WHERE id = ${run.id}`.execute(trx);
      return 'retry';
    }
    await finish(trx, run.id, 'failed', { actions: outcomes, error: message, ms: Date.now() - started });
    if (rule.owner) {
      await notifyUser(trx, {
        userId: rule.owner, kind: 'automation.failed', title: `Workflow rule '${rule.name}' failed`, body: message.slice(0, 500),
        object: run.object, recordId: run.record_id, occurrence: run.id, data: { rule: rule.id, run: run.id },
      });
      batch.uow.afterCommit(() => pingNotificationStreams(platform.db));
    }
    return 'failed';
  }
  batch.succeeded.push({ id: run.id, actions: outcomes, ms: Date.now() - started });
  uow.transferTo(batch.uow);
  return 'succeeded';
}

type Counts = Record<'succeeded' | 'failed' | 'retry' | 'skipped', number>;

/**
 * Claims and runs one batch in one transaction. Unguarded — no savepoint per run — when every
 * claimed run's rule has only transactional actions (a savepoint and its release are two round
 * trips of the ~7 a run costs); a failure then abandons the batch (UnguardedRunFailed) and the
 * caller runs it guarded. Answers how many runs it claimed.
 */
async function runBatch(platform: Platform, counts: Counts, mode: 'optimistic' | 'guarded'): Promise<number> {
  const uow = new UnitOfWork();
  const local: Counts = { succeeded: 0, failed: 0, retry: 0, skipped: 0 };
  const claimed = await platform.db.transaction().execute(async (trx) => {
    const r = await sql<RunRow>`SELECT id, rule_id, object, record_id, depth, chain, acted_for, snapshot, attempts, due_at FROM automation_run
      WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`.execute(trx);
    // In record order: two workers' batches touching the same records lock them in one order (no deadlock between them).
    const rows = [...r.rows].sort((a, b) => (a.record_id < b.record_id ? -1 : a.record_id > b.record_id ? 1 : 0));
    const ctx = systemContext(platform, trx, uow);
    const guarded = mode === 'guarded' || !(await allTransactional(ctx, rows));
    const batch: Batch = { platform, trx, uow, guarded, succeeded: [], preloaded: await preloadRecords(ctx, rows) };
    for (const run of rows) local[await runOne(batch, run)]++;
    await finishSucceeded(trx, batch.succeeded);
    return r.rows.length;
  });
  for (const k of Object.keys(local) as Array<keyof Counts>) counts[k] += local[k];
  await uow.flush((error) => platform.logger.error({ err: error }, 'after-commit work of a workflow rule failed'));
  return claimed;
}

function systemContext(platform: Platform, trx: Transaction<any>, uow: UnitOfWork): TxContext {
  return { platform, actor: { userId: null, isAdmin: true, via: 'workflow', timeZone: 'UTC', locale: 'en-US' }, trx, uow };
}

/**
 * The batch's records in one query per object instead of one per run — for records only one run
 * of the batch is about: a record two runs share is read by each when it runs, so the second sees
 * the first one's changes as it does when they run one after the other.
 */
async function preloadRecords(ctx: TxContext, rows: RunRow[]): Promise<Map<string, ApiRecord>> {
  const runsPerRecord = new Map<string, number>();
  for (const run of rows) runsPerRecord.set(run.record_id, (runsPerRecord.get(run.record_id) ?? 0) + 1);
  const byObject = new Map<string, string[]>();
  for (const run of rows) {
    if (run.snapshot || runsPerRecord.get(run.record_id) !== 1) continue;
    byObject.set(run.object, [...(byObject.get(run.object) ?? []), run.record_id]);
  }
  const out = new Map<string, ApiRecord>();
  for (const [name, ids] of byObject) {
    const object = ctx.platform.registry.getObject(name);
    if (!object) continue;
    for (const [id, record] of await getRecordsById({ ctx, object, ids })) out.set(id, record);
  }
  return out;
}

async function allTransactional(ctx: TxContext, rows: RunRow[]): Promise<boolean> {
  for (const run of rows) {
    const rule = await ruleById(ctx, run.rule_id);
    if (rule && !rule.actions.every((a) => automationAction(a.type)?.transactional)) return false;
  }
  return true;
}

/**
 * Runs the due runs, a batch per transaction (rows claimed with SKIP LOCKED, so workers in other
 * processes take other runs). Answers the counts; never runs a run twice.
 */
export async function runDueRuns(platform: Platform): Promise<Counts> {
  const counts: Counts = { succeeded: 0, failed: 0, retry: 0, skipped: 0 };
  for (;;) {
    let claimed: number;
    try {
      claimed = await runBatch(platform, counts, 'optimistic');
    } catch (error) {
      if (!(error instanceof UnguardedRunFailed)) throw error;
      // Nothing of that attempt was kept (its transaction rolled back, its after-commit work dropped).
      claimed = await runBatch(platform, counts, 'guarded');
    }
    if (claimed < BATCH) return counts;
  }
}

/** When the next pending run falls due (automation_run_due index: one probe), for the platform's due timer. */
export async function nextDueRun(platform: Platform): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`SELECT min(next_attempt_at) AS at FROM automation_run WHERE status = 'pending'`.execute(platform.db);
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}

/** Runs due runs now in this process (after the commit that queued them); the minute job picks up the rest. */
export const wakeRuns = drainOnWake('automation.runs', runDueRuns);
