import { sql } from 'kysely';
import type { TxContext } from '../../platform/records/context.ts';
import { conditionContext } from '../../platform/records/read.ts';
import { evaluateCondition, parseCondition } from '../../platform/query/index.ts';
import { tableOf } from '../billing/index.ts';

export interface Assignment {
  /** The new owner, or null when the lead goes to a queue. */
  owner: string | null;
  queue: string | null;
  /** The rule that decided. */
  rule: { id: string; name: string };
}

interface RuleRow { id: string; name: string; condition: string | null; target: string; user_id: string | null; queue: string | null; assignment_group_id: string | null }
interface TerritoryRow { id: string; countries: string | null; states: string | null; postal_from: string | null; postal_to: string | null; industries: string | null; user_id: string | null; assignment_group_id: string | null }

const list = (s: string | null) => (s ?? '').split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);

/** Users away today (out_of_office records): every rule skips them. */
export async function awayToday(ctx: TxContext): Promise<Set<string>> {
  const r = await sql<{ user_id: string }>`SELECT DISTINCT user_id FROM ${tableOf(ctx, 'out_of_office')}
    WHERE deleted_at IS NULL AND current_date BETWEEN starts_on AND ends_on`.execute(ctx.trx);
  return new Set(r.rows.map((x) => x.user_id));
}

/**
 * The next rep of a group whose turn it is. The group's counter row is locked until the lead's
 * transaction commits, so concurrent leads take turns one after another: N leads over k reps
 * give each N/k exactly. Reps away are passed over without using up a turn of theirs.
 */
/** With `dryRun`, the rep whose turn it is, read without locking or advancing the counter (a preview). */
export async function nextInGroup(ctx: TxContext, groupId: string, skip: Set<string>, dryRun = false): Promise<string | null> {
  const members = await sql<{ user_id: string }>`SELECT user_id FROM ${tableOf(ctx, 'assignment_group_member')}
    WHERE assignment_group_id = ${groupId}::uuid AND deleted_at IS NULL ORDER BY user_id`.execute(ctx.trx);
  const available = members.rows.map((m) => m.user_id).filter((u) => !skip.has(u));
  if (!available.length) return null;
  if (dryRun) {
    const current = await sql<{ n: string }>`SELECT n::text FROM leadcapture_turn WHERE group_id = ${groupId}::uuid`.execute(ctx.trx);
    return available[Number(BigInt(current.rows[0]?.n ?? '0') % BigInt(available.length))]!;
  }
  await sql`INSERT INTO leadcapture_turn (group_id) VALUES (${groupId}::uuid) ON CONFLICT DO NOTHING`.execute(ctx.trx);
  const turn = await sql<{ n: string }>`SELECT n::text FROM leadcapture_turn WHERE group_id = ${groupId}::uuid FOR UPDATE`.execute(ctx.trx);
  await sql`UPDATE leadcapture_turn SET n = n + 1 WHERE group_id = ${groupId}::uuid`.execute(ctx.trx);
  return available[Number(BigInt(turn.rows[0]!.n) % BigInt(available.length))]!;
}

function postalInRange(code: string, from: string | null, to: string | null): boolean {
  const numeric = (s: string) => /^\d+$/.test(s);
  const cmp = (a: string, b: string) => (numeric(a) && numeric(b) ? Number(a) - Number(b) : a.localeCompare(b));
  if (from && cmp(code, from.trim()) < 0) return false;
  if (to && cmp(code, to.trim()) > 0) return false;
  return true;
}

/** Whether a lead lies in a territory: every criterion the territory sets matches (case-insensitive). */
export function inTerritory(t: Omit<TerritoryRow, 'id' | 'user_id' | 'assignment_group_id'>, lead: Record<string, unknown>): boolean {
  const value = (k: string) => String(lead[k] ?? '').trim().toLowerCase();
  if (list(t.countries).length && !list(t.countries).includes(value('address_country'))) return false;
  if (list(t.states).length && !list(t.states).includes(value('address_state'))) return false;
  if ((t.postal_from || t.postal_to) && (!value('address_postal_code') || !postalInRange(value('address_postal_code'), t.postal_from?.toLowerCase() ?? null, t.postal_to?.toLowerCase() ?? null))) return false;
  if (list(t.industries).length && !list(t.industries).includes(value('industry'))) return false;
  return true;
}

async function byTerritory(ctx: TxContext, lead: Record<string, unknown>, skip: Set<string>, dryRun: boolean): Promise<string | null> {
  const r = await sql<TerritoryRow>`SELECT id, countries, states, postal_from, postal_to, industries, user_id, assignment_group_id FROM ${tableOf(ctx, 'territory')}
    WHERE deleted_at IS NULL ORDER BY sort_order, name, id`.execute(ctx.trx);
  for (const t of r.rows) {
    if (!inTerritory(t, lead)) continue;
    if (t.user_id && !skip.has(t.user_id)) return t.user_id;
    if (t.assignment_group_id) {
      const user = await nextInGroup(ctx, t.assignment_group_id, skip, dryRun);
      if (user) return user;
    }
  }
  return null;
}

/**
 * Who gets a lead (issue 14 item 9): the active assignment rules in order, the first whose
 * condition matches and that yields someone decides — a user, a queue, the next rep of a group,
 * or the lead's territory. Users out of office (and `skip`, e.g. the owner of an escalated lead)
 * are passed over: a rule that yields nobody lets the next one try. Null when no rule decides.
 * Exported for the automation engine's "assign owner" action. With `dryRun` (the assignment
 * preview) nothing is written and no group's turn advances: the answer names who would get the lead.
 */
export async function assignByRules(ctx: TxContext, lead: Record<string, unknown>, options: { skip?: string[]; dryRun?: boolean } = {}): Promise<Assignment | null> {
  const dryRun = options.dryRun === true;
  const rules = await sql<RuleRow>`SELECT id, name, condition, target, user_id, queue, assignment_group_id FROM ${tableOf(ctx, 'assignment_rule')}
    WHERE active AND deleted_at IS NULL ORDER BY sort_order, name, id`.execute(ctx.trx);
  if (!rules.rows.length) return null;
  const skip = new Set([...(await awayToday(ctx)), ...(options.skip ?? [])]);
  const object = ctx.platform.registry.requireObject('lead');
  for (const rule of rules.rows) {
    if (rule.condition?.trim()) {
      let condition;
      try {
        condition = parseCondition({ input: JSON.parse(rule.condition), object, registry: ctx.platform.registry, source: 'condition' });
      } catch (error) {
        // A field deleted since the rule was saved: the rule matches nothing until it is fixed.
        ctx.platform.logger.warn({ err: error, rule: rule.id }, 'an assignment rule’s condition no longer reads; the rule is skipped');
        continue;
      }
      if (!evaluateCondition({ condition, record: lead, context: conditionContext(ctx) })) continue;
    }
    const decided = { id: rule.id, name: rule.name };
    if (rule.target === 'queue' && rule.queue) return { owner: null, queue: rule.queue, rule: decided };
    let owner: string | null = null;
    if (rule.target === 'user' && rule.user_id && !skip.has(rule.user_id)) owner = rule.user_id;
    if (rule.target === 'round_robin' && rule.assignment_group_id) owner = await nextInGroup(ctx, rule.assignment_group_id, skip, dryRun);
    if (rule.target === 'territory') owner = await byTerritory(ctx, lead, skip, dryRun);
    if (owner) return { owner, queue: null, rule: decided };
  }
  return null;
}
