import { sql } from 'kysely';
import { badRequest, validationFailed, type FieldError } from '../../../errors.ts';
import type { Platform } from '../../../kernel.ts';
import type { Actor } from '../../../records/context.ts';
import { assertAdmin } from '../../../access/policy.ts';
import { writeAudit } from '../../audit.ts';
import { eventFromRow, type OutboxRow } from '../../outbox.ts';
import { insertDeliveries, matchDeliveries, type SubscriptionTarget } from '../fanout.ts';
import { parseInstant, load } from './input.ts';

export const MAX_REPLAY = 50_000;

/**
 * POST /api/v1/webhooks/{id}/replay {from, to}: queues again every event in [from, to) that the
 * subscription matches today (types and condition), e.g. after its receiver was broken. Events
 * that still have an open delivery for it are skipped.
 */
export async function replayRange(args: { platform: Platform; actor: Actor; id: string; input: unknown }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  await platform.registry.ensureFresh();
  const sub = await load(platform, args.id);
  const body = (typeof args.input === 'object' && args.input !== null ? args.input : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const from = parseInstant(body.from, 'from', errors);
  const to = parseInstant(body.to, 'to', errors);
  if (from && to && from >= to) errors.push({ field: 'to', code: 'out_of_range', message: 'Must be after from' });
  if (errors.length) throw validationFailed(errors);
  const target: SubscriptionTarget = { id: sub.id, events: sub.events, condition: sub.condition ?? null, condition_object: sub.condition_object };
  const typeFilter = sub.events.includes('*')
    ? sql`true`
    : sql.join(sub.events.map((p) => {
        const [o, a] = p.split('.');
        if (o === '*') return sql`type LIKE ${`%.${a}`}`;
        if (a === '*') return sql`type LIKE ${`${o}.%`}`;
        return sql`type = ${p}`;
      }), sql` OR `);
  const queued = await platform.db.transaction().execute(async (trx) => {
    const r = await sql<OutboxRow>`SELECT e.seq, e.id, e.type, e.object, e.record_id, e.changes, e.actor, e.occurred_at FROM outbox_event e
      WHERE e.occurred_at >= ${from!} AND e.occurred_at < ${to!} AND (${typeFilter})
        AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.subscription_id = ${sub.id} AND d.event_id = e.id AND d.status IN ('pending', 'delivering', 'retrying'))
      ORDER BY e.seq LIMIT ${MAX_REPLAY + 1}`.execute(trx);
    if (r.rows.length > MAX_REPLAY) throw badRequest(`More than ${MAX_REPLAY} events in this range; replay a shorter one`, [{ field: 'to', code: 'too_many', message: 'Narrow the range' }]);
    let total = 0;
    for (let i = 0; i < r.rows.length; i += 1000) {
      const events = r.rows.slice(i, i + 1000).map(eventFromRow);
      const pairs = await matchDeliveries({ trx, platform, events, subs: [target] });
      total += (await insertDeliveries(trx, pairs)).length;
    }
    await writeAudit(trx, { action: 'webhook.replayed', actor, target: { type: 'webhook', id: sub.id }, details: { from: from!.toISOString(), to: to!.toISOString(), queued: total } });
    return total;
  });
  return { queued, from: from!.toISOString(), to: to!.toISOString(), active: sub.active };
}
