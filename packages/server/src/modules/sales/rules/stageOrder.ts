import { sql } from 'kysely';
import { hasCapability } from '../../../platform/access/policy.ts';
import { ruleViolation } from '../../../platform/errors.ts';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { db, isBlank, tableOf } from '../context.ts';
import { isTerminal, type Stage } from '../domain/stageMachine.ts';
import { loadStages } from '../queries/pipelines.ts';
import { changed } from './changed.ts';

export const SKIP_STAGES = 'sales.skip_stages';

/**
 * The open stages a move passes over: those strictly between where the deal is and where it goes
 * (a new deal starts before the first stage). Moves into a lost stage skip nothing — a deal may be
 * lost at any step — and moves back are the stage machine's business.
 */
export function skippedStages(stages: Stage[], from: Stage | undefined, to: Stage): Stage[] {
  if (to.is_lost) return [];
  const after = from ? from.order : -Infinity;
  if (to.order <= after) return [];
  return stages.filter((s) => !isTerminal(s) && s.order > after && s.order < to.order);
}

/**
 * Seed 003: a pipeline may require its stages in order. A forward skip is refused unless the
 * user's profile has the `sales.skip_stages` capability and the write gives `stage_skip_reason`,
 * which the stage history keeps (writeStageHistory). Runs after the stage rules, so the pipeline
 * is resolved and the transition is otherwise valid. Writes by the system itself (imports from the
 * CLI, seeds) are not held to it.
 */
export async function requireStageOrder({ ctx, operation, data, merged, previous }: BeforeSaveArgs): Promise<void> {
  const next = { ...merged, ...data };
  const stageChanged = operation === 'create' || changed(data, previous, 'stage');
  // The reason belongs to the move it was given with; a later move without a skip clears it.
  if (!stageChanged) return;
  const pipelineId = next.pipeline as string | null;
  if (!pipelineId || !ctx.actor.userId) return void (data.stage_skip_reason = null);
  const r = await sql<{ require_stage_order: boolean | null }>`SELECT require_stage_order FROM ${tableOf(ctx, 'pipeline')} WHERE id = ${pipelineId}`.execute(db(ctx));
  if (!r.rows[0]?.require_stage_order) return void (data.stage_skip_reason = null);
  const stages = await loadStages(ctx, pipelineId);
  const to = stages.find((s) => s.api_value === next.stage)!;
  const samePipeline = operation === 'update' && !changed(data, previous, 'pipeline');
  const from = samePipeline ? stages.find((s) => s.api_value === previous!.stage) : undefined;
  const skipped = skippedStages(stages, from, to);
  if (!skipped.length) return void (data.stage_skip_reason = null);
  const names = skipped.map((s) => s.name).join(', ');
  if (!hasCapability(ctx.actor, SKIP_STAGES)) {
    throw ruleViolation([{ field: 'stage', code: 'stage_order', message: `This pipeline moves one stage at a time: go through ${names} before ${to.name}` }]);
  }
  if (isBlank(data.stage_skip_reason)) {
    throw ruleViolation([{ field: 'stage_skip_reason', code: 'required_for_skip', message: `Say why this deal skips ${names}` }]);
  }
}
