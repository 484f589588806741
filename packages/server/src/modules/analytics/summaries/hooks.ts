import type { AfterSaveArgs, BeforeDeleteArgs, HookRegistry } from '../../../platform/records/hooks.ts';
import { SUMMARIES, summaryOf } from './declared.ts';
import { appendSummaryDeltas } from './store.ts';

/**
 * Keeps every summary in step with its object's writes, inside the write's transaction: a new or
 * restored record adds its figures, a change of a kept field moves them, a deletion takes them away.
 */
export function registerSummaryHooks(hooks: HookRegistry): void {
  for (const { object } of SUMMARIES) {
    hooks.register('afterSave', { name: 'analytics.summary', object, operations: ['create', 'update', 'restore'], run: trackSummaryOnSave });
    hooks.register('beforeDelete', { name: 'analytics.summary', object, run: trackSummaryOnDelete });
  }
}

async function trackSummaryOnSave({ ctx, object, operation, record, previous, changes }: AfterSaveArgs): Promise<void> {
  const summary = summaryOf(ctx.platform.registry, object);
  if (!summary) return;
  if (operation === 'create' || operation === 'restore') return appendSummaryDeltas(ctx, summary, [{ record, sign: 1 }]);
  if (operation !== 'update' || !previous) return;
  if (![...summary.dimensions, ...summary.measures].some((f) => f.apiName in changes)) return;
  await appendSummaryDeltas(ctx, summary, [
    { record: previous, sign: -1 },
    { record, sign: 1 },
  ]);
}

async function trackSummaryOnDelete({ ctx, object, record }: BeforeDeleteArgs): Promise<void> {
  const summary = summaryOf(ctx.platform.registry, object);
  if (summary) await appendSummaryDeltas(ctx, summary, [{ record, sign: -1 }]);
}
