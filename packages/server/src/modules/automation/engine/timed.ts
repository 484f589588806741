import { sql } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { CompiledRule } from '../spec.ts';
import { conditionMet } from './match.ts';

/**
 * When a time-based rule's actions are due for a record: the delay after (or before) the event or
 * the date field's value (a date counts from its midnight UTC). null when the date field is empty.
 */
export function dueTime(rule: CompiledRule, record: Record<string, unknown>, now: Date): Date | null {
  if (!rule.delay) return null;
  if (rule.delay.from === 'event') return new Date(now.getTime() + rule.delay.ms);
  const value = record[rule.delay.from];
  if (value === null || value === undefined || value === '') return null;
  const base = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(String(value));
  return Number.isNaN(base) ? null : new Date(base + rule.delay.ms);
}

/**
 * On every write of a record of an object with time-based rules: each pending timed run of the
 * record is cancelled when the rule's condition no longer holds, and moved when the date it counts
 * from changed. Answers the rules that still have a pending run (a new match moves it rather than
 * adding a second).
 */
export async function maintainTimedRuns(ctx: TxContext, rules: CompiledRule[], record: ApiRecord): Promise<Set<string>> {
  const timed = rules.filter((r) => r.delay);
  const kept = new Set<string>();
  if (!timed.length) return kept;
  const pending = await sql<{ id: string; rule_id: string; due_at: Date }>`SELECT id, rule_id, due_at FROM automation_run
    WHERE record_id = ${record.id}::uuid AND status = 'pending' AND due_at IS NOT NULL AND rule_id = ANY(${timed.map((r) => r.id)}::uuid[]) FOR UPDATE`.execute(ctx.trx);
  for (const run of pending.rows) {
    const rule = timed.find((r) => r.id === run.rule_id)!;
    const due = rule.delay!.from === 'event' ? new Date(run.due_at) : dueTime(rule, record, new Date());
    if (!due || !(await conditionMet(ctx, { ...rule, onlyOnChange: false }, 'update', record))) {
      const why = due ? 'the condition no longer holds' : `${rule.delay!.from} is empty`;
      await sql`UPDATE automation_run SET status = 'skipped', error = ${`Cancelled before it was due: ${why}`}, finished_at = now() WHERE id = ${run.id}`.execute(ctx.trx);
      continue;
    }
    kept.add(rule.id);
    if (due.getTime() !== new Date(run.due_at).getTime()) {
      await sql`UPDATE automation_run SET due_at = ${due}, next_attempt_at = ${due} WHERE id = ${run.id}`.execute(ctx.trx);
    }
  }
  return kept;
}
