import { sql } from 'kysely';
import { badRequest } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { asSystem, inTransaction, systemActor, type RecordContext, type TxContext } from '../../platform/records/context.ts';
import { listConditions } from '../../platform/records/read.ts';
import { updateRecord } from '../../platform/records/write.ts';
import { assertObjectPermission } from '../../platform/access/policy.ts';
import { notifyUser, pingNotificationStreams } from '../../platform/notifications/store.ts';
import { readRecord } from '../billing/index.ts';
import { leadCaptureSettings } from './settings.ts';
import { assignByRules } from './assign.ts';

/**
 * Speed to lead (issue 14 item 10, seed 002's KPI): per lead the moment it was captured, the
 * moment it got its owner, and its first contact — the first call, outbound e-mail or held
 * meeting logged against it, or its status set to contacted. Kept in this module's table
 * `leadcapture_speed`, written by hooks on the lead and the activities (hooks.ts).
 */
export async function recordCapture(ctx: TxContext, lead: Record<string, unknown> & { id: string }): Promise<void> {
  await sql`INSERT INTO leadcapture_speed (lead_id, captured_at, assigned_at, owner_id, source)
    VALUES (${lead.id}::uuid, now(), ${lead.owner ? sql`now()` : null}, ${(lead.owner as string | null) ?? null}::uuid, ${(lead.source as string | null) ?? null})
    ON CONFLICT (lead_id) DO NOTHING`.execute(ctx.trx);
}

/** A new owner: the clock of escalation restarts for them (the capture time stays). */
export async function recordAssignment(ctx: TxContext, leadId: string, owner: string | null): Promise<void> {
  await sql`UPDATE leadcapture_speed SET owner_id = ${owner}::uuid, assigned_at = ${owner ? sql`now()` : null}, escalated_at = NULL
    WHERE lead_id = ${leadId}::uuid AND first_contact_at IS NULL`.execute(ctx.trx);
}

/** The first contact only: a later call does not move it. `at` is when it happened (a call logged afterwards), never before the capture. */
export async function recordContact(ctx: TxContext, leadId: string, kind: string, at: Date): Promise<void> {
  const when = at.getTime() > Date.now() ? new Date() : at;
  await sql`UPDATE leadcapture_speed SET first_contact_at = GREATEST(captured_at, ${when.toISOString()}::timestamptz), contact_kind = ${kind}
    WHERE lead_id = ${leadId}::uuid AND first_contact_at IS NULL`.execute(ctx.trx);
}

export type SpeedGrouping = 'owner' | 'source' | 'week';

export interface SpeedRow {
  key: string | null;
  /** The owner's name for the owner grouping; else the key. */
  label: string | null;
  leads: number;
  contacted: number;
  within15: number;
  /** within15 / leads, 0–1 (leads never contacted count as not within 15 minutes). */
  share: number;
  medianMinutes: number | null;
}

/**
 * The share of leads contacted within 15 minutes of capture, by owner, source or week (ISO week
 * of the capture, UTC), over the leads the caller may see: the lead list's own conditions
 * (access compiled into the query) joined to the measurements.
 */
export async function speedToLeadReport(args: { ctx: RecordContext; groupBy: SpeedGrouping; from: string; to: string }): Promise<{ total: SpeedRow; rows: SpeedRow[] }> {
  const { ctx } = args;
  const lead = ctx.platform.registry.requireObject('lead');
  assertObjectPermission(ctx.actor, lead, 'read');
  if (args.to < args.from) throw badRequest('The period ends on or after its first day', [{ field: 'to', code: 'invalid', message: 'On or after from' }]);
  const key = { owner: sql`s.owner_id::text`, source: sql`s.source`, week: sql`to_char(date_trunc('week', s.captured_at AT TIME ZONE 'UTC'), 'IYYY-"W"IW')` }[args.groupBy];
  const where = sql.join(listConditions(ctx, lead, undefined, sql`s.captured_at >= ${args.from}::date AND s.captured_at < ${args.to}::date + 1`), sql` AND `);
  const r = await sql<{ key: string | null; is_total: number; leads: number; contacted: number; within15: number; median: number | null }>`
    SELECT x.key, grouping(x.key)::int AS is_total, count(*)::int AS leads, count(x.first_contact_at)::int AS contacted,
      count(*) FILTER (WHERE x.first_contact_at <= x.captured_at + interval '15 minutes')::int AS within15,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.first_contact_at - x.captured_at)) / 60)::float8 AS median
    FROM (SELECT ${key} AS key, s.captured_at, s.first_contact_at FROM leadcapture_speed s JOIN ${sql.table(lead.table)} t0 ON t0.id = s.lead_id WHERE ${where}) x
    GROUP BY ROLLUP (x.key) ORDER BY 2, 1 NULLS LAST`.execute(ctx.trx ?? ctx.platform.db);
  const names = new Map<string, string>();
  if (args.groupBy === 'owner') {
    for (const x of r.rows) if (x.key && !names.has(x.key)) names.set(x.key, String((await readRecord(asSystem(ctx), 'user', x.key, ['full_name']).catch(() => null))?.full_name ?? x.key));
  }
  const row = (x: (typeof r.rows)[number]): SpeedRow => ({
    key: x.key, label: x.key ? (names.get(x.key) ?? x.key) : null, leads: x.leads, contacted: x.contacted, within15: x.within15, share: x.leads ? x.within15 / x.leads : 0,
    medianMinutes: x.median === null ? null : Math.round(Number(x.median) * 10) / 10,
  });
  const rows = r.rows.filter((x) => x.is_total === 0).map(row);
  const totalRow = r.rows.find((x) => x.is_total === 1);
  const total = totalRow ? row(totalRow) : { key: null, label: null, leads: 0, contacted: 0, within15: 0, share: 0, medianMinutes: null };
  return { total, rows };
}

/**
 * The escalation job: leads assigned more than MERIDIAN_LEAD_ESCALATION_MINUTES ago and not yet
 * contacted either notify the owner's manager or go to someone else by the assignment rules
 * (skipping the owner). Each lead escalates once per assignment; each in its own transaction.
 */
export async function escalateUncontactedLeads(platform: Platform, now = new Date()): Promise<{ escalated: number }> {
  const { escalationMinutes, escalationAction } = leadCaptureSettings.of(platform);
  if (escalationMinutes <= 0) return { escalated: 0 };
  const due = await sql<{ lead_id: string; owner_id: string }>`SELECT lead_id, owner_id FROM leadcapture_speed
    WHERE first_contact_at IS NULL AND escalated_at IS NULL AND owner_id IS NOT NULL
      AND assigned_at < ${now.toISOString()}::timestamptz - make_interval(mins => ${escalationMinutes}) ORDER BY assigned_at LIMIT 500`.execute(platform.db);
  let escalated = 0;
  for (const d of due.rows) {
    await inTransaction({ platform, actor: systemActor('workflow') }, async (ctx) => {
      const claimed = await sql`UPDATE leadcapture_speed SET escalated_at = now() WHERE lead_id = ${d.lead_id}::uuid AND escalated_at IS NULL AND first_contact_at IS NULL RETURNING lead_id`.execute(ctx.trx);
      if (!claimed.rows.length) return;
      const lead = await readRecord(ctx, 'lead', d.lead_id).catch(() => null);
      if (!lead || lead.owner !== d.owner_id) return;
      escalated += 1;
      if (escalationAction === 'reassign') {
        // The rules again without this owner; the lead's hooks record the assignment and notify the new owner.
        const next = await assignByRules(ctx, lead, { skip: [d.owner_id] });
        if (next) await updateRecord({ ctx, object: platform.registry.requireObject('lead'), id: d.lead_id, input: { owner: next.owner, lead_queue: next.queue } });
        return;
      }
      const owner = await readRecord(ctx, 'user', d.owner_id, ['manager', 'full_name']).catch(() => null);
      if (!owner?.manager) return;
      await notifyUser(ctx.trx, {
        userId: String(owner.manager), kind: 'lead.escalated', object: 'lead', recordId: d.lead_id, occurrence: d.owner_id,
        title: `Lead not contacted: ${String(lead.full_name ?? '')}`,
        body: `${String(owner.full_name ?? 'The owner')} has not contacted this lead within ${escalationMinutes} minutes of getting it.`,
      });
      ctx.uow.afterCommit(() => pingNotificationStreams(platform.db));
    });
  }
  return { escalated };
}
