import { sql } from 'kysely';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { wakeRuns } from '../engine/worker.ts';

export const RUN_STATUSES = ['pending', 'succeeded', 'failed', 'skipped', 'stopped'] as const;

export interface RunFilter {
  rule?: string;
  record?: string;
  status?: (typeof RUN_STATUSES)[number];
  since?: string;
  until?: string;
  /** Runs older than this run (the previous page's last id; ids are time-ordered). */
  before?: string;
  limit?: number;
}

const COLUMNS = sql`id, rule_id, rule_name, object, record_id, event_id, trigger, operation, status, condition_result, depth, chain, acted_for, attempts,
  next_attempt_at, due_at, actions, error, duration_ms, created_at, finished_at`;

function present(row: Record<string, unknown>) {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));
  return {
    id: row.id as string, rule: row.rule_id as string, ruleName: row.rule_name as string, object: row.object as string, record: row.record_id as string,
    event: row.event_id as string, trigger: row.trigger as string, operation: row.operation as string, status: row.status as string,
    conditionResult: row.condition_result as boolean | null, depth: row.depth as number, chain: row.chain as string[], actedFor: (row.acted_for as string | null) ?? null,
    attempts: row.attempts as number, dueAt: iso(row.due_at), nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null, actions: row.actions as unknown[],
    error: (row.error as string | null) ?? null, durationMs: (row.duration_ms as number | null) ?? null, createdAt: iso(row.created_at)!, finishedAt: iso(row.finished_at),
  };
}
export type RunView = ReturnType<typeof present>;

/** The execution log, newest first, by rule, record, status and time. */
export async function listRuns(ctx: RecordContext, filter: RunFilter): Promise<{ data: RunView[]; next: string | null }> {
  const limit = filter.limit ?? 50;
  const where = [sql`true`];
  if (filter.rule) where.push(sql`rule_id = ${filter.rule}::uuid`);
  if (filter.record) where.push(sql`record_id = ${filter.record}::uuid`);
  if (filter.status) where.push(sql`status = ${filter.status}`);
  if (filter.since) where.push(sql`created_at >= ${filter.since}::timestamptz`);
  if (filter.until) where.push(sql`created_at < ${filter.until}::timestamptz`);
  if (filter.before) where.push(sql`id < ${filter.before}::uuid`);
  const r = await sql<Record<string, unknown>>`SELECT ${COLUMNS} FROM automation_run WHERE ${sql.join(where, sql` AND `)} ORDER BY id DESC LIMIT ${limit + 1}`.execute(ctx.trx ?? ctx.platform.db);
  const page = r.rows.slice(0, limit).map(present);
  return { data: page, next: r.rows.length > limit ? page[page.length - 1]!.id : null };
}

export async function getRun(ctx: RecordContext, id: string): Promise<RunView> {
  if (!UUID_RE.test(id)) throw notFound('Run');
  const r = await sql<Record<string, unknown>>`SELECT ${COLUMNS} FROM automation_run WHERE id = ${id}::uuid`.execute(ctx.trx ?? ctx.platform.db);
  if (!r.rows[0]) throw notFound(`Run ${id}`);
  return present(r.rows[0]);
}

/** The retry button: a failed run goes back to the queue with fresh attempts and runs now. */
export async function retryRun(ctx: RecordContext, id: string): Promise<RunView> {
  if (!UUID_RE.test(id)) throw notFound('Run');
  const r = await sql<{ id: string }>`UPDATE automation_run SET status = 'pending', attempts = 0, next_attempt_at = now(), error = NULL, finished_at = NULL
    WHERE id = ${id}::uuid AND status = 'failed' RETURNING id`.execute(ctx.platform.db);
  if (!r.rows[0]) {
    const run = await getRun(ctx, id);
    throw new AppError('conflict', `Only a failed run can be retried; this one is ${run.status}`);
  }
  void wakeRuns(ctx.platform);
  return getRun(ctx, id);
}

/** The retention: runs finished more than `days` ago are deleted (pending ones are kept). */
export async function purgeRuns(ctx: RecordContext, days: number): Promise<number> {
  const r = await sql`DELETE FROM automation_run WHERE status <> 'pending' AND created_at < now() - make_interval(days => ${days})`.execute(ctx.platform.db);
  return Number(r.numAffectedRows ?? 0);
}
