import { sql } from 'kysely';
import { ruleViolation, type FieldError } from '../../../platform/errors.ts';
import type { AfterSaveArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { createRecord } from '../../../platform/records/write.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import { db, isBlank, objectOf, onBehalf, tableOf, today } from '../context.ts';
import { checkTransition, isTerminal, missingRequiredFields } from '../domain/stageMachine.ts';
import { defaultPipelineId, loadStages } from '../queries/pipelines.ts';
import { changed } from './changed.ts';
import { visibilityCondition } from '../../../platform/access/policy.ts';

/**
 * The pipeline rules of an opportunity write (SAL-9, SAL-10), for every entry point — the
 * close command and a plain PATCH of `stage` get the same checks. In order: default pipeline,
 * stage belongs to the pipeline, transition allowed, stage defaults (probability, forecast
 * category, timestamps), required fields of the stage, outcome rules.
 */
export async function applyStageRules(args: BeforeSaveArgs): Promise<void> {
  const { ctx, object, operation, data, merged, previous } = args;
  if (operation === 'create' && isBlank(merged.pipeline)) {
    const id = await defaultPipelineId(ctx);
    if (id) data.pipeline = id;
  }
  const next = () => ({ ...merged, ...data });
  const pipelineChanged = operation === 'update' && changed(data, previous, 'pipeline');
  const stageChanged = operation === 'create' || changed(data, previous, 'stage');
  const stages = await loadStages(ctx, next().pipeline as string | null);
  const to = stages.find((s) => s.api_value === next().stage);
  if (!to) {
    throw ruleViolation([{ field: 'stage', code: 'invalid_stage', message: `'${String(next().stage)}' is not a stage of this pipeline (its stages: ${stages.map((s) => s.api_value).join(', ')})` }]);
  }
  const explicitProbability = changed(data, previous, 'probability');
  if (stageChanged) {
    const from = operation === 'update' && !pipelineChanged ? stages.find((s) => s.api_value === previous!.stage) : undefined;
    const check = checkTransition(from, to);
    if (!check.ok) throw ruleViolation([{ field: 'stage', code: 'invalid_transition', message: check.message }]);
    data.stage_changed_at = new Date().toISOString();
    data.stalled = false;
    if (explicitProbability) data.probability_overridden = true;
    else {
      data.probability = to.probability;
      data.probability_overridden = false;
    }
    if (!changed(data, previous, 'forecast_category')) data.forecast_category = to.forecast_category;
    if (isTerminal(to)) data.closed_at = today(ctx);
    // A deal closes when it is closed (close dialog, board or PATCH alike): a close date still in
    // the future (the planned one) becomes today in the user's time zone, so won and lost reports
    // count it in the period it closed — unless this write sets the date itself.
    if (isTerminal(to) && operation === 'update' && !changed(data, previous, 'close_date')) {
      const closeDate = next().close_date;
      if (typeof closeDate !== 'string' || closeDate > today(ctx)) data.close_date = today(ctx);
    }
    else if (previous?.closed_at) data.closed_at = null;
    // A fully won deal is won for its amount unless the rep says otherwise.
    if (to.is_won && !to.is_partial && isBlank(next().won_amount) && !isBlank(next().amount)) data.won_amount = next().amount;
  } else if (explicitProbability) {
    data.probability_overridden = true;
  }
  const label = (f: string) => ctx.platform.registry.getField(object, f)?.label ?? f;
  if (stageChanged || to.required_fields.some((f) => f in data)) {
    const missing = missingRequiredFields(to, next());
    if (missing.length) {
      throw ruleViolation(missing.map((f) => ({ field: f, code: 'required_for_stage', message: `${label(f)} is required in stage ${to.name}` })));
    }
  }
  if (isTerminal(to) && (stageChanged || ['won_amount', 'lost_reason', 'amount'].some((f) => f in data))) checkOutcome(next(), to, label);
}

function checkOutcome(record: Record<string, unknown>, stage: { is_partial: boolean; is_lost: boolean; name: string }, label: (f: string) => string) {
  const errors: FieldError[] = [];
  if (stage.is_partial) {
    const won = record.won_amount as number | null;
    const amount = record.amount as number | null;
    if (isBlank(won)) errors.push({ field: 'won_amount', code: 'required_for_stage', message: `${label('won_amount')} is required for a partially won deal` });
    else if (won! <= 0) errors.push({ field: 'won_amount', code: 'out_of_range', message: `${label('won_amount')} must be more than 0` });
    else if (!isBlank(amount) && won! > amount!) errors.push({ field: 'won_amount', code: 'out_of_range', message: `${label('won_amount')} cannot exceed the amount (${amount})` });
  }
  if (stage.is_lost && isBlank(record.lost_reason)) {
    errors.push({ field: 'lost_reason', code: 'required_for_stage', message: `${label('lost_reason')} is required when a deal is lost` });
  }
  if (errors.length) throw ruleViolation(errors);
}

/**
 * The account settings a rule looks at, and whether the caller may see the account. The record
 * pipeline refuses a lookup to an invisible account before these rules run, so they meet one only
 * on a record whose account was set by someone else; then they neither name it nor let its
 * settings show through (issue 18, item 5).
 */
async function accountSettings(ctx: TxContext, id: string): Promise<{ name: string; visible: boolean; blacklisted: boolean; allowNegativeProfit: boolean } | undefined> {
  const visible = visibilityCondition(ctx.actor, objectOf(ctx, 'account'), 'a') ?? sql`true`;
  const r = await sql<{ name: string; visible: boolean | null; blacklisted: boolean | null; allow_negative_profit: boolean | null }>`SELECT a.name, coalesce(${visible}, false) AS visible, a.blacklisted, a.allow_negative_profit
    FROM ${tableOf(ctx, 'account')} a WHERE a.id = ${id}`.execute(db(ctx));
  const row = r.rows[0];
  return row && { name: row.name, visible: row.visible === true, blacklisted: row.blacklisted === true, allowNegativeProfit: row.allow_negative_profit === true };
}

/** SAL-3: no new opportunities for a blacklisted account (also when an opportunity is moved to one). */
export async function refuseBlacklistedAccount({ ctx, operation, data, merged, previous }: BeforeSaveArgs): Promise<void> {
  if (operation === 'update' && !changed(data, previous, 'account')) return;
  const accountId = (operation === 'create' ? merged.account : data.account) as string | null | undefined;
  if (!accountId) return;
  const account = await accountSettings(ctx, accountId);
  if (account?.blacklisted) {
    const which = account.visible ? account.name : 'The account';
    throw ruleViolation([{ field: 'account', code: 'blacklisted', message: `${which} is blacklisted: no new opportunities can be opened for it` }]);
  }
}

/**
 * SAL-15: negative gross profit only for accounts that allow it (opportunities and projects). An
 * account the caller cannot see counts as one that does not allow it: whether it does is not
 * theirs to learn.
 */
export async function refuseNegativeProfit({ ctx, object, operation, data, merged, previous }: BeforeSaveArgs): Promise<void> {
  if (operation === 'update' && !changed(data, previous, 'gross_profit') && !changed(data, previous, 'account')) return;
  const next = { ...merged, ...data };
  const profit = next.gross_profit;
  if (typeof profit !== 'number' || profit >= 0) return;
  const account = typeof next.account === 'string' ? await accountSettings(ctx, next.account) : undefined;
  if (account?.visible && account.allowNegativeProfit) return;
  const what = object.pluralLabel.toLowerCase();
  const message = account?.visible
    ? `Gross profit cannot be negative: ${account.name} does not allow ${what} with negative profit (see the account's "Allow negative profit")`
    : `Gross profit cannot be negative unless the account allows negative profit`;
  throw ruleViolation([{ field: 'gross_profit', code: 'negative_profit', message }]);
}

/** One opportunity_stage_history record per stage change, in the same transaction. */
export async function writeStageHistory({ ctx, operation, record, previous, changes }: AfterSaveArgs): Promise<void> {
  if (operation !== 'create' && !changes.stage) return;
  const changedAt = (record.stage_changed_at as string | null) ?? new Date().toISOString();
  const since = previous ? ((previous.stage_changed_at ?? previous.created_at) as string | null) : null;
  const seconds = since ? Math.max(0, Math.round((Date.parse(changedAt) - Date.parse(since)) / 1000)) : null;
  const from = (previous?.stage as string | undefined) ?? null;
  await createRecord({
    ctx: onBehalf(ctx),
    object: objectOf(ctx, 'opportunity_stage_history'),
    input: {
      name: `${from ?? 'new'} → ${String(record.stage)}`,
      opportunity: record.id,
      from_stage: from,
      to_stage: record.stage,
      time_in_previous_stage_seconds: seconds,
      skip_reason: (record.stage_skip_reason as string | null | undefined) ?? null,
      amount: record.amount ?? null,
      probability: record.probability ?? null,
    },
    // The command's own values: stage history is written by Meridian only (refuseManualStageHistory).
    options: { systemValues: { changed_at: changedAt, changed_by: ctx.actor.userId, days_in_previous_stage: daysOf(seconds) } },
  });
}

/**
 * Whole seconds as days to two decimals, rounded half up — what the migration that fills older
 * rows computes in SQL (`round(seconds / 86400.0, 2)`), so old and new rows agree.
 */
export function daysOf(seconds: number | null): number | null {
  if (seconds === null) return null;
  return Math.round(seconds / 864) / 100;
}

/** SAL-10: a lost deal goes to the reviewer configured for its reason, as a task. */
export async function createLostReviewTask({ ctx, operation, record, changes }: AfterSaveArgs): Promise<void> {
  if (operation !== 'create' && !changes.stage) return;
  const stages = await loadStages(ctx, record.pipeline as string | null);
  if (!stages.find((s) => s.api_value === record.stage)?.is_lost) return;
  const task = ctx.platform.registry.getObject('task');
  if (!task) return;
  const reason = record.lost_reason as string;
  const reviewer = (await reviewerFor(ctx, reason)) ?? (record.owner as string | null);
  const reasonLabel = objectOf(ctx, 'opportunity').fields.find((f) => f.apiName === 'lost_reason')?.picklist?.values.find((v) => v.value === reason)?.label ?? reason;
  await createRecord({
    ctx: onBehalf(ctx),
    object: task,
    input: {
      subject: `Review lost deal: ${String(record.name)}`.slice(0, 1000),
      description: `Lost reason: ${reasonLabel}.${record.lost_reason_detail ? `\n\n${String(record.lost_reason_detail)}` : ''}`,
      due_date: today(ctx, 7),
      priority: 'high',
      opportunity: record.id,
      account: record.account ?? null,
      ...(reviewer ? { owner: reviewer } : {}),
    },
  });
}

/** The reviewer for a lost reason; the route for 'other' catches reasons without their own. */
async function reviewerFor(ctx: TxContext, reason: string): Promise<string | null> {
  const r = await sql<{ review_user_id: string }>`SELECT review_user_id FROM ${tableOf(ctx, 'lost_reason_route')}
    WHERE reason IN (${reason}, 'other') AND deleted_at IS NULL AND review_user_id IS NOT NULL
    ORDER BY (reason = ${reason}) DESC, created_at LIMIT 1`.execute(ctx.trx);
  return r.rows[0]?.review_user_id ?? null;
}
