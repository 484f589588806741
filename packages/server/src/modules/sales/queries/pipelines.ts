import { sql } from 'kysely';
import type { RecordContext } from '../../../platform/records/context.ts';
import { db, splitList, tableOf } from '../context.ts';
import { DEFAULT_STAGES, type Stage } from '../domain/stageMachine.ts';
import { getRecord } from '../../../platform/records/read.ts';

/** The default pipeline's id: the oldest live one marked default, else the oldest live one. */
export async function defaultPipelineId(ctx: RecordContext): Promise<string | null> {
  const r = await sql<{ id: string }>`SELECT id FROM ${tableOf(ctx, 'pipeline')} WHERE deleted_at IS NULL
    ORDER BY is_default DESC NULLS LAST, created_at, id LIMIT 1`.execute(db(ctx));
  return r.rows[0]?.id ?? null;
}

interface StageRow {
  api_value: string;
  name: string;
  order: string | number;
  probability: string | number | null;
  forecast_category: string | null;
  is_won: boolean | null;
  is_lost: boolean | null;
  is_partial: boolean | null;
  required_fields: string | null;
  allowed_backward: string | null;
}

/** A pipeline's stages in order; DEFAULT_STAGES when it has none (or there is no pipeline at all). */
export async function loadStages(ctx: RecordContext, pipelineId: string | null | undefined): Promise<Stage[]> {
  if (!pipelineId) return DEFAULT_STAGES;
  const r = await sql<StageRow>`SELECT api_value, name, "order", probability, forecast_category, is_won, is_lost, is_partial, required_fields, allowed_backward
    FROM ${tableOf(ctx, 'pipeline_stage')} WHERE pipeline_id = ${pipelineId} AND deleted_at IS NULL ORDER BY "order", created_at`.execute(db(ctx));
  if (!r.rows.length) return DEFAULT_STAGES;
  return r.rows.map((row) => ({
    api_value: row.api_value,
    name: row.name,
    order: Number(row.order),
    probability: row.probability === null ? null : Number(row.probability),
    forecast_category: row.forecast_category,
    is_won: Boolean(row.is_won) || Boolean(row.is_partial),
    is_lost: Boolean(row.is_lost),
    is_partial: Boolean(row.is_partial),
    required_fields: splitList(row.required_fields),
    allowed_backward: splitList(row.allowed_backward),
  }));
}

/**
 * The stages a deal moves through, for the app: the named pipeline's, else the default
 * pipeline's, else the built-in ones; each with what closing there means. The pipeline must be
 * one the caller can read.
 */
export async function listPipelineStages(args: { ctx: RecordContext; pipeline: string | null }) {
  const { ctx } = args;
  if (args.pipeline) await getRecord({ ctx, object: ctx.platform.registry.requireObject('pipeline'), id: args.pipeline, fields: ['id'] });
  const pipeline = args.pipeline ?? (await defaultPipelineId(ctx));
  const stages = await loadStages(ctx, pipeline);
  return {
    pipeline,
    stages: stages.map((s) => ({
      value: s.api_value, name: s.name, order: s.order, probability: s.probability,
      outcome: s.is_partial ? 'partially_won' as const : s.is_won ? 'won' as const : s.is_lost ? 'lost' as const : 'open' as const,
      allowedBackward: s.allowed_backward,
    })),
  };
}
