import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { systemActor, type RecordContext } from '../../../platform/records/context.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { objectOf, tableOf } from '../context.ts';
import { defaultPipelineId, loadStages } from '../queries/pipelines.ts';
import { isTerminal } from '../domain/stageMachine.ts';

const BATCH = 200;

/**
 * SAL-9 stalled deals: open opportunities whose stage has not changed for longer than their
 * pipeline's stalled_after_days get `stalled = true` (a stage change clears it, see
 * rules/opportunity.ts). Each flag is a normal update with history, one short transaction per record.
 */
export async function flagStalledOpportunities(args: { platform: Platform; now?: Date }): Promise<{ flagged: number }> {
  const ctx: RecordContext = { platform: args.platform, actor: systemActor('workflow') };
  const now = args.now ?? new Date();
  const pipelines = await sql<{ id: string; stalled_after_days: string | null }>`SELECT id, stalled_after_days FROM ${tableOf(ctx, 'pipeline')} WHERE deleted_at IS NULL`.execute(args.platform.db);
  const defaultId = await defaultPipelineId(ctx);
  let flagged = 0;
  for (const p of pipelines.rows) {
    const days = Number(p.stalled_after_days ?? 0);
    if (!(days > 0)) continue;
    const open = (await loadStages(ctx, p.id)).filter((s) => !isTerminal(s)).map((s) => s.api_value);
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
    const inPipeline = p.id === defaultId ? sql`(pipeline_id = ${p.id} OR pipeline_id IS NULL)` : sql`pipeline_id = ${p.id}`;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const r = await sql<{ id: string }>`SELECT id FROM ${tableOf(ctx, 'opportunity')} WHERE deleted_at IS NULL AND ${inPipeline}
        AND stage = ANY(${open}::text[]) AND coalesce(stalled, false) = false AND coalesce(stage_changed_at, created_at) < ${cutoff}::timestamptz
        AND id > ${after} ORDER BY id LIMIT ${BATCH}`.execute(args.platform.db);
      for (const row of r.rows) {
        try {
          await updateRecord({ ctx, object: objectOf(ctx, 'opportunity'), id: row.id, input: {}, options: { systemValues: { stalled: true } } });
          flagged++;
        } catch (error) {
          // One record a rule refuses (e.g. a stage removed from its pipeline) must not stop the rest.
          args.platform.logger.warn({ err: error, opportunity: row.id }, 'could not flag stalled opportunity');
        }
      }
      if (r.rows.length < BATCH) break;
      after = r.rows[r.rows.length - 1]!.id;
    }
  }
  return { flagged };
}
