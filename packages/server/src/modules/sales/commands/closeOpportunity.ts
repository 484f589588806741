import { AppError, ruleViolation, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { asSystem, inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { listRecords } from '../../../platform/records/read.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord, loadForUpdate, updateRecord } from '../../../platform/records/write.ts';
import { objectOf, today } from '../context.ts';
import { loadStages } from '../queries/pipelines.ts';

export type Outcome = 'won' | 'partially_won' | 'lost';

export interface CloseInput {
  outcome: Outcome;
  wonAmount?: number;
  lostReason?: string;
  lostReasonDetail?: string;
  createProject?: boolean;
  /** Fields for the project (name, start_date, …) over the defaults taken from the opportunity. */
  project?: Record<string, unknown>;
}

export interface CloseResult {
  opportunity: ApiRecord;
  project: ApiRecord | null;
  reviewTask: { id: string; owner: string | null } | null;
}

export function parseCloseInput(body: unknown): CloseInput {
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || Array.isArray(input)) throw validationFailed([{ field: '', code: 'type', message: 'Send {outcome, …}' }]);
  const errors: FieldError[] = [];
  if (!['won', 'partially_won', 'lost'].includes(input.outcome as string)) errors.push({ field: 'outcome', code: 'invalid_choice', message: "Must be 'won', 'partially_won' or 'lost'" });
  if (input.createProject !== undefined && typeof input.createProject !== 'boolean') errors.push({ field: 'createProject', code: 'type', message: 'Must be true or false' });
  if (input.createProject && input.outcome === 'lost') errors.push({ field: 'createProject', code: 'invalid', message: 'Only won deals become projects' });
  if (input.project !== undefined && (typeof input.project !== 'object' || input.project === null || Array.isArray(input.project))) errors.push({ field: 'project', code: 'type', message: 'An object of project fields' });
  if (errors.length) throw validationFailed(errors);
  return input as unknown as CloseInput;
}

/**
 * Closes an opportunity (SAL-10): moves it to its pipeline's won / partially won / lost stage
 * with the outcome's fields. The stage rules (rules/opportunity.ts) do the checking — the same
 * as for a PATCH of `stage` — and create the lost-review task; a won deal may become a project.
 */
export async function closeOpportunity(args: { ctx: RecordContext; id: string; input: CloseInput }): Promise<CloseResult> {
  const { input } = args;
  return inTransaction(args.ctx, async (ctx) => {
    const object = objectOf(ctx, 'opportunity');
    const current = await loadForUpdate(ctx, object, args.id);
    const stages = await loadStages(ctx, current.pipeline as string | null);
    const target = stages.find((s) =>
      input.outcome === 'lost' ? s.is_lost : input.outcome === 'partially_won' ? s.is_partial : s.is_won && !s.is_partial,
    );
    if (!target) throw ruleViolation([{ field: 'outcome', code: 'no_stage', message: `This opportunity's pipeline has no ${input.outcome.replace('_', ' ')} stage` }]);
    if (current.stage === target.api_value) throw new AppError('conflict', `This opportunity is already ${target.name}`);
    const values: Record<string, unknown> = { stage: target.api_value };
    if (input.wonAmount !== undefined) values.won_amount = input.wonAmount;
    if (input.lostReason !== undefined) values.lost_reason = input.lostReason;
    if (input.lostReasonDetail !== undefined) values.lost_reason_detail = input.lostReasonDetail;
    const opportunity = await updateRecord({ ctx, object, id: args.id, input: values });
    let project: ApiRecord | null = null;
    if (input.createProject) {
      project = await createRecord({
        ctx,
        object: objectOf(ctx, 'project'),
        input: {
          name: opportunity.name,
          opportunity: opportunity.id,
          account: opportunity.account ?? null,
          start_date: today(ctx),
          amount: opportunity.won_amount ?? opportunity.amount ?? null,
          gross_profit: opportunity.gross_profit ?? null,
          ...input.project,
        },
        options: { pathPrefix: 'project.' },
      });
    }
    let reviewTask: CloseResult['reviewTask'] = null;
    const task = ctx.platform.registry.getObject('task');
    if (target.is_lost && task) {
      // The lost-review hook created it in this transaction: the newest task on the deal (uuidv7 ids
      // grow), read through the record service — the task table is the activities module's.
      const { data } = await listRecords({ ctx: asSystem(ctx), object: task, filter: { field: 'opportunity', op: 'eq', value: args.id }, sort: '-id', fields: ['id', 'owner'], limit: 1 });
      if (data[0]) reviewTask = { id: data[0].id, owner: (data[0].owner as string | null) ?? null };
    }
    return { opportunity, project, reviewTask };
  });
}
