import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { recordName } from '../../../platform/records/serialize.ts';
import { automationSettings } from '../settings.ts';
import { rulesFor } from './cache.ts';
import { chainOf } from './chain.ts';
import { conditionMet, triggerMatches, type Operation } from './match.ts';
import { wakeRuns } from './worker.ts';
import { dueTime, maintainTimedRuns } from './timed.ts';

/**
 * After-save rules: in the write's transaction, each matching rule gets a `pending` run in the log
 * (the queue); the worker runs its actions after the commit. A run that would go deeper than the
 * depth limit is written `stopped`, saying where the chain was.
 */
export async function enqueueRuns(args: { ctx: TxContext; object: ObjectDefinition; operation: Operation; record: ApiRecord; previous?: ApiRecord }): Promise<void> {
  const { ctx, object, operation, record, previous } = args;
  const rules = await rulesFor(ctx, object.apiName, 'after_save');
  if (!rules.length) return;
  const chain = chainOf(ctx);
  const depth = (chain?.depth ?? 0) + 1;
  const maxDepth = automationSettings.of(ctx.platform).maxDepth;
  const eventId = uuidv7();
  const now = new Date();
  // Time-based runs already waiting for this record: cancelled or moved by this change.
  const waiting = operation === 'delete' ? new Set<string>() : await maintainTimedRuns(ctx, rules, record);
  const rows: unknown[][] = [];
  for (const rule of rules) {
    // A rule never triggers itself through its own write.
    if (chain?.ruleId === rule.id) continue;
    // A time-based rule has one pending run per record (kept above, moved when its date changes).
    if (waiting.has(rule.id)) continue;
    if (!triggerMatches(rule, operation, record, previous)) continue;
    if (!(await conditionMet(ctx, rule, operation, record, previous))) continue;
    const due = rule.delay ? dueTime(rule, record, now) : null;
    if (rule.delay && !due) continue;
    const here = `${rule.name} on ${object.label.toLowerCase()} ${recordName(object, record) || record.id}`;
    const path = [...(chain?.path ?? []), here];
    const stopped = depth > maxDepth;
    rows.push([
      uuidv7(), rule.id, rule.name, object.apiName, record.id, eventId, rule.trigger, operation, stopped ? 'stopped' : 'pending', true, depth,
      JSON.stringify(path), ctx.actor.userId, operation === 'delete' ? JSON.stringify(record) : null,
      stopped ? `Stopped: rules triggered rules ${maxDepth} deep (${path.join(' → ')}); '${rule.name}' did not run` : null,
      due,
    ]);
  }
  if (!rows.length) return;
  await sql`INSERT INTO automation_run (id, rule_id, rule_name, object, record_id, event_id, trigger, operation, status, condition_result, depth, chain, acted_for, snapshot, error, finished_at, due_at, next_attempt_at)
    VALUES ${sql.join(rows.map((r) => sql`(${sql.join(r.slice(0, 11))}, ${r[11]}::jsonb, ${r[12]}::uuid, ${r[13]}::jsonb, ${r[14]}, ${r[8] === 'stopped' ? sql`now()` : sql`NULL`},
      ${r[15]}::timestamptz, coalesce(${r[15]}::timestamptz, now()))`))}
    ON CONFLICT (rule_id, record_id, event_id) DO NOTHING`.execute(ctx.trx);
  if (rows.some((r) => r[8] === 'pending' && !r[15])) ctx.uow.afterCommit(() => void wakeRuns(ctx.platform));
}
