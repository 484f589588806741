import { useQuery } from '@tanstack/react-query';
import { salesApi } from '../../api/sales';
import type { FieldDef } from '../../api/types';
import type { ColumnSummary } from '../../lib/extensions';
import { formatCurrency } from '../../lib/format';

/** Column value of deals without a stage on the board (KanbanPage's NONE). */
const NONE = '__none__';

/**
 * The opportunity board's column headers: per stage, the count, total and weighted amount of all
 * deals the user can see (POST /sales/board-summary), not only the cards loaded so far. Amounts are
 * per currency and never added across currencies; hidden amounts (profile) show no totals.
 */
export function useOpportunityColumnSummaries(field: FieldDef): Map<string, ColumnSummary> | undefined {
  const enabled = field.apiName === 'stage';
  const q = useQuery({ queryKey: ['records', 'opportunity', 'board-summary'], queryFn: () => salesApi.boardSummary(), enabled });
  if (!enabled || !q.data) return undefined;
  const byStage = new Map<string, ColumnSummary>();
  for (const s of q.data.stages) {
    const totals = s.totals ?? [];
    const money = (pick: 'amount' | 'weighted') => totals.map((t) => formatCurrency(t[pick], t.currency)).join(' + ');
    byStage.set(s.stage ?? NONE, { count: s.count, ...(totals.length ? { detail: `${money('amount')} · weighted ${money('weighted')}` } : {}) });
  }
  return byStage;
}
