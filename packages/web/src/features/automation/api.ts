import { api } from '../../api/client';
import type { ResponseOf } from '../../api/types';

/** Workflow rules' routes (docs/automation.md): the execution log, the retry button, the dry run. */
export type AutomationRun = ResponseOf<'getAutomationRun'>;
export type AutomationRunList = ResponseOf<'listAutomationRuns'>;
export type DryRunResult = ResponseOf<'dryRunAutomationRule'>;
export type RulePreview = ResponseOf<'previewAutomationRule'>;
export type ActionCatalogue = ResponseOf<'listAutomationActions'>;

const enc = encodeURIComponent;

export interface RunQuery {
  rule?: string;
  record?: string;
  status?: string;
  before?: string;
  limit?: number;
}

export const automationApi = {
  runs: (q: RunQuery, signal?: AbortSignal) => {
    const p = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
    const s = p.toString();
    return api.get<AutomationRunList>(`/automation/runs${s ? `?${s}` : ''}`, { signal });
  },
  retry: (id: string) => api.post<AutomationRun>(`/automation/runs/${enc(id)}/retry`, {}),
  dryRun: (id: string, body: { limit?: number; cursor?: string }) => api.post<DryRunResult>(`/automation/rules/${enc(id)}/dry-run`, body),
  preview: (body: { rule: Record<string, unknown>; record: string }) => api.post<RulePreview>('/automation/rules/preview', body),
  actions: () => api.get<ActionCatalogue>('/automation/actions'),
};

export const STATUS_COLORS: Record<string, string> = { succeeded: 'green', failed: 'red', pending: 'blue', skipped: 'gray', stopped: 'orange' };
