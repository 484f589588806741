import { useQuery } from '@tanstack/react-query';
import { salesApi, type PipelineStage } from '../../api/sales';
import type { RecordData } from '../../api/types';
import type { Outcome } from './CloseOpportunityDialog';

/** The stages of a deal's pipeline (the default one when it names none), from the server's pipeline data. */
export function usePipelineStages(pipeline: unknown) {
  const id = typeof pipeline === 'string' && pipeline ? pipeline : null;
  return useQuery({ queryKey: ['pipeline-stages', id], queryFn: () => salesApi.stages(id), staleTime: 60_000 });
}

/** What moving to this stage value means: closing (won, partially won, lost), or nothing (open). */
export function closingOutcome(stages: PipelineStage[] | undefined, value: unknown): Outcome | undefined {
  const stage = stages?.find((s) => s.value === value);
  return stage && stage.outcome !== 'open' ? stage.outcome : undefined;
}

export function isClosed(stages: PipelineStage[] | undefined, record: RecordData): boolean {
  return closingOutcome(stages, record.stage) !== undefined;
}
