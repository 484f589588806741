import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { CronExpressionParser } from 'cron-parser';
import type { Platform } from '../../../platform/kernel.ts';
import { systemActor, UnitOfWork, type TxContext } from '../../../platform/records/context.ts';
import { listRecords } from '../../../platform/records/read.ts';
import { rowToRecord } from '../../../platform/records/serialize.ts';
import { invoicingSettings } from '../../invoicing/index.ts';
import { compileRule, type CompiledRule } from '../spec.ts';
import { wakeRuns } from './worker.ts';

const PAGE = 200;
/** A firing missed for longer than this (the workers were down) is not caught up. */
const CATCH_UP_MS = 3_600_000;

const zoneOf = (platform: Platform) => invoicingSettings.of(platform).timeZone;

async function scheduledRules(ctx: TxContext): Promise<Array<{ rule: CompiledRule; filter: unknown; createdAt: Date }>> {
  const object = ctx.platform.registry.requireObject('automation_rule');
  const r = await sql<Record<string, unknown>>`SELECT * FROM obj_automation_rule WHERE deleted_at IS NULL AND active = true AND trigger = 'scheduled' ORDER BY run_order, id`.execute(ctx.trx);
  const out = [];
  for (const row of r.rows) {
    const record = rowToRecord(object.fields, row, object);
    const { rule } = compileRule(record, ctx.platform.registry);
    if (!rule?.cron) continue; // A broken rule is switched off by the engine's cache on the next write.
    out.push({ rule, filter: typeof record.condition === 'string' && record.condition.trim() ? JSON.parse(record.condition) : undefined, createdAt: new Date(String(record.created_at)) });
  }
  return out;
}

/**
 * Scheduled rules (AUT-5): each active rule whose cron (in the organisation's time zone) fired
 * since the last look is claimed for that minute once, and every record matching its condition
 * gets a pending run (a page of records at a time, in the claim's transaction: all or none); the
 * worker runs them in batches like any after-save run. Called every minute by `automation.scheduled`.
 */
export async function runScheduledRules(platform: Platform, now = new Date()): Promise<{ fired: number; runs: number }> {
  const zone = zoneOf(platform);
  let fired = 0;
  let runs = 0;
  const uow = new UnitOfWork();
  await platform.db.transaction().execute(async (trx) => {
    const ctx: TxContext = { platform, actor: systemActor('workflow'), trx, uow };
    for (const { rule, filter, createdAt } of await scheduledRules(ctx)) {
      const fireAt = CronExpressionParser.parse(rule.cron!, { tz: zone, currentDate: now }).prev().toDate();
      if (fireAt.getTime() < now.getTime() - CATCH_UP_MS || fireAt < createdAt) continue;
      const fireId = uuidv7();
      const claimed = await sql`INSERT INTO automation_schedule_fire (id, rule_id, fire_at) VALUES (${fireId}, ${rule.id}::uuid, ${fireAt}) ON CONFLICT (rule_id, fire_at) DO NOTHING RETURNING id`.execute(trx);
      if (!claimed.rows.length) continue;
      fired++;
      const started = Date.now();
      const object = platform.registry.requireObject(rule.object);
      let cursor: string | undefined;
      let count = 0;
      do {
        const page = await listRecords({ ctx, object, filter, limit: PAGE, fields: ['id'], ...(cursor ? { cursor } : {}) });
        if (page.data.length) {
          await sql`INSERT INTO automation_run (id, rule_id, rule_name, object, record_id, event_id, trigger, operation, status, condition_result, depth, chain)
            SELECT x.id, ${rule.id}::uuid, ${rule.name}, ${object.apiName}, x.record_id, ${fireId}::uuid, 'scheduled', 'schedule', 'pending', true, 1, ${JSON.stringify([`${rule.name} at ${fireAt.toISOString()}`])}::jsonb
            FROM unnest(${page.data.map(() => uuidv7())}::uuid[], ${page.data.map((d) => d.id)}::uuid[]) AS x(id, record_id)
            ON CONFLICT (rule_id, record_id, event_id) DO NOTHING`.execute(trx);
        }
        count += page.data.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      await sql`UPDATE automation_schedule_fire SET records = ${count}, duration_ms = ${Date.now() - started} WHERE id = ${fireId}`.execute(trx);
      runs += count;
    }
  });
  if (runs) void wakeRuns(platform);
  return { fired, runs };
}

export interface AutomationSchedule {
  name: string;
  key: string;
  source: 'automation';
  cron: string;
  timeZone: string;
  nextRun: string | null;
  lastRun: { at: string; records: number; durationMs: number | null } | null;
}

/** The scheduled rules for the jobs page: cron, zone, next firing, the last firing and how many records it queued. */
export async function listAutomationSchedules(platform: Platform): Promise<AutomationSchedule[]> {
  const zone = zoneOf(platform);
  const uow = new UnitOfWork();
  return platform.db.transaction().execute(async (trx) => {
    const ctx: TxContext = { platform, actor: systemActor('workflow'), trx, uow };
    const rules = await scheduledRules(ctx);
    const last = await sql<{ rule_id: string; fire_at: Date; records: number; duration_ms: number | null }>`SELECT DISTINCT ON (rule_id) rule_id, fire_at, records, duration_ms
      FROM automation_schedule_fire WHERE rule_id = ANY(${rules.map((r) => r.rule.id)}::uuid[]) ORDER BY rule_id, fire_at DESC`.execute(trx);
    return rules.map(({ rule }) => {
      const l = last.rows.find((x) => x.rule_id === rule.id);
      return {
        name: rule.name, key: rule.id, source: 'automation' as const, cron: rule.cron!, timeZone: zone,
        nextRun: CronExpressionParser.parse(rule.cron!, { tz: zone, currentDate: new Date() }).next().toISOString(),
        lastRun: l ? { at: new Date(l.fire_at).toISOString(), records: l.records, durationMs: l.duration_ms } : null,
      };
    });
  });
}
