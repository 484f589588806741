import type { AfterSaveArgs, BeforeDeleteArgs } from '../../../platform/records/hooks.ts';
import { TOTALS_FIELDS, recordBoardDeltas } from '../queries/boardTotals.ts';

/**
 * Keeps the board's stage totals (queries/boardTotals.ts) in step with every write of a deal,
 * inside the write's transaction: a new or restored deal adds its figures, a change of stage,
 * currency, amount or probability moves them, a deletion takes them away.
 */
export async function trackBoardTotalsOnSave({ ctx, operation, record, previous, changes }: AfterSaveArgs): Promise<void> {
  if (operation === 'create' || operation === 'restore') return recordBoardDeltas(ctx, [{ deal: record as never, sign: 1 }]);
  if (operation !== 'update' || !previous) return;
  if (!TOTALS_FIELDS.some((f) => f in changes)) return;
  await recordBoardDeltas(ctx, [
    { deal: previous as never, sign: -1 },
    { deal: record as never, sign: 1 },
  ]);
}

export async function trackBoardTotalsOnDelete({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  await recordBoardDeltas(ctx, [{ deal: record as never, sign: -1 }]);
}
