import { sql, type Transaction } from 'kysely';
import { uuidv7 } from '../../ids.ts';
import type { Platform } from '../../kernel.ts';
import type { ParsedCondition } from '../../query/index.ts';
import { evaluateCondition, parseCondition, prefetchPathRecords } from '../../query/index.ts';
import { rowToRecord } from '../../records/serialize.ts';
import type { EventSubscriber, OutboxEvent } from '../outbox.ts';

/** Does an event type match a subscription pattern: `*`, `opportunity.*`, `*.created`, `contact.created`? */
export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  const dot = type.indexOf('.');
  const [object, action] = [type.slice(0, dot), type.slice(dot + 1)];
  const pdot = pattern.indexOf('.');
  const [po, pa] = [pattern.slice(0, pdot), pattern.slice(pdot + 1)];
  return (po === '*' || po === object) && (pa === '*' || pa === action);
}

type Row = Record<string, unknown>;

/**
 * The record as it was right after each event: its current row with the changes of every later
 * event of the same record undone (old values put back). The row is read before the later
 * events, so a write committing in between changes nothing (its old values are the row's). A
 * record that no longer exists (purged) is rebuilt from the new values of its events.
 */
async function statesAfter(trx: Transaction<any>, platform: Platform, events: OutboxEvent[]): Promise<Map<string, Row>> {
  const byObject = new Map<string, Set<string>>();
  for (const e of events) {
    if (!byObject.has(e.object)) byObject.set(e.object, new Set());
    byObject.get(e.object)!.add(e.recordId);
  }
  const current = new Map<string, Row>();
  for (const [objectName, ids] of byObject) {
    const object = platform.registry.getObject(objectName);
    if (!object) continue;
    const r = await sql<Row>`SELECT * FROM ${sql.table(object.table)} WHERE id = ANY(${[...ids]}::uuid[])`.execute(trx);
    for (const row of r.rows) current.set(String(row.id), { ...rowToRecord(object.fields, row, object), deleted_at: row.deleted_at ?? null });
  }
  const minSeq = events.reduce((m, e) => (BigInt(e.seq) < m ? BigInt(e.seq) : m), BigInt(events[0]!.seq));
  const ids = [...new Set(events.map((e) => e.recordId))];
  const later = await sql<{ seq: string; record_id: string; changes: Record<string, { old: unknown; new: unknown }> }>`SELECT seq, record_id, changes FROM outbox_event
    WHERE record_id = ANY(${ids}::uuid[]) AND seq > ${String(minSeq)}::bigint ORDER BY seq DESC`.execute(trx);
  const states = new Map<string, Row>();
  for (const e of events) {
    let state: Row;
    const now = current.get(e.recordId);
    if (now) {
      state = { ...now };
      for (const l of later.rows) {
        if (l.record_id !== e.recordId || BigInt(l.seq) <= BigInt(e.seq)) continue;
        for (const [field, c] of Object.entries(l.changes)) state[field] = c.old;
      }
    } else {
      state = {};
      for (const [field, c] of Object.entries(e.changes)) state[field] = c.new;
    }
    state.id = e.recordId;
    states.set(e.seq, state);
  }
  return states;
}

export interface SubscriptionTarget {
  id: string;
  events: string[];
  condition: unknown;
  condition_object: string | null;
}

/**
 * Which (event, subscription) pairs get a delivery: the event type matches one of the
 * subscription's patterns and its condition, if any, holds for the record as it was right after
 * the event. Pairs come out in event order.
 */
export async function matchDeliveries(args: { trx: Transaction<any>; platform: Platform; events: OutboxEvent[]; subs: SubscriptionTarget[] }): Promise<Array<{ event: OutboxEvent; sub: SubscriptionTarget }>> {
  const { trx, platform, events, subs } = args;
  const parsed = new Map<string, ParsedCondition | null>();
  for (const s of subs) {
    if (s.condition === null || s.condition === undefined) continue;
    try {
      parsed.set(s.id, parseCondition({ input: s.condition, object: s.condition_object!, registry: platform.registry, source: 'condition' }));
    } catch (error) {
      // The metadata changed under the condition (a field was deleted): deliver nothing rather than everything.
      parsed.set(s.id, null);
      platform.logger.warn({ subscription: s.id, err: error }, 'webhook condition no longer valid; events are not delivered to it');
    }
  }
  const matches: Array<{ event: OutboxEvent; sub: SubscriptionTarget }> = [];
  for (const event of events) {
    for (const sub of subs) if (sub.events.some((p) => matchesPattern(p, event.type))) matches.push({ event, sub });
  }
  const conditional = matches.filter((m) => parsed.has(m.sub.id));
  if (!conditional.length) return matches;
  const states = await statesAfter(trx, platform, [...new Map(conditional.map((m) => [m.event.seq, m.event])).values()]);
  const context = { now: new Date(), timeZone: 'UTC' };
  const load = async (objectName: string, ids: string[]) => {
    const object = platform.registry.getObject(objectName);
    if (!object) return [];
    const r = await sql<Row>`SELECT * FROM ${sql.table(object.table)} WHERE id = ANY(${ids}::uuid[])`.execute(trx);
    return r.rows.map((row) => ({ ...rowToRecord(object.fields, row, object), deleted_at: row.deleted_at ?? null }));
  };
  const out: typeof matches = [];
  for (const m of matches) {
    if (parsed.has(m.sub.id)) {
      const condition = parsed.get(m.sub.id);
      if (!condition || m.event.object !== m.sub.condition_object) continue;
      const record = states.get(m.event.seq)!;
      try {
        const resolve = await prefetchPathRecords({ condition, record, load });
        if (!evaluateCondition({ condition, record, context, resolve })) continue;
      } catch (error) {
        platform.logger.warn({ subscription: m.sub.id, event: m.event.id, err: error }, 'webhook condition could not be evaluated; event skipped');
        continue;
      }
    }
    out.push(m);
  }
  return out;
}

/** Inserts deliveries in the given order (their seq then orders each subscription's record chains). */
export async function insertDeliveries(trx: Transaction<any>, pairs: Array<{ event: OutboxEvent; sub: { id: string } }>, replayOf?: (pair: { event: OutboxEvent; sub: { id: string } }) => string | null): Promise<string[]> {
  if (!pairs.length) return [];
  const rows = pairs.map(({ event, sub }, ord) => ({
    ord, id: uuidv7(), subscription_id: sub.id, event_id: event.id, event_seq: event.seq, event_type: event.type, object: event.object, record_id: event.recordId,
    replay_of: replayOf?.({ event, sub }) ?? null,
  }));
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    await sql`INSERT INTO webhook_delivery (id, subscription_id, event_id, event_seq, event_type, object, record_id, replay_of)
      SELECT r.id, r.subscription_id, r.event_id, r.event_seq, r.event_type, r.object, r.record_id, r.replay_of
      FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb)
        AS r(ord int, id uuid, subscription_id uuid, event_id uuid, event_seq bigint, event_type text, object text, record_id uuid, replay_of uuid)
      ORDER BY r.ord`.execute(trx);
  }
  // Wakes delivery loops in other processes (LISTEN meridian_webhooks) once this commits.
  await sql`SELECT pg_notify('meridian_webhooks', '')`.execute(trx);
  return rows.map((r) => r.id);
}

/**
 * The outbox subscriber of webhooks: one `webhook_delivery` row per matching (event,
 * subscription), written in the dispatch transaction.
 */
export function webhookSubscriber(options: { onQueued?: () => void } = {}): EventSubscriber {
  return {
    name: 'webhooks',
    async handle({ platform, trx, events, afterCommit }) {
      const subs = (await sql<SubscriptionTarget>`SELECT id, events, condition, condition_object FROM webhook_subscription WHERE active ORDER BY id`.execute(trx)).rows;
      if (!subs.length) return;
      const pairs = await matchDeliveries({ trx, platform, events, subs });
      if (!pairs.length) return;
      await insertDeliveries(trx, pairs);
      if (options.onQueued) afterCommit(options.onQueued);
    },
  };
}
