import { api } from '../../api/client';
import type { BodyOf, ResponseOf } from '../../api/types';

/** The Lead assignment page's own routes (docs/automation.md "Assignment rules"); other writes go through the record API. */
export type AssignmentPreview = ResponseOf<'previewLeadAssignment'>;
export type PreviewBody = BodyOf<'previewLeadAssignment'>;
export type NextTurns = ResponseOf<'getAssignmentNextTurns'>;
export type ReorderBody = BodyOf<'reorderLeadAssignment'>;
export type Reordered = ResponseOf<'reorderLeadAssignment'>;

export const assignmentApi = {
  preview: (body: PreviewBody) => api.post<AssignmentPreview>('/lead-assignment/preview', body),
  nextTurns: (signal?: AbortSignal) => api.get<NextTurns>('/lead-assignment/next-turns', { signal }),
  /** The whole new order in one request: saved all or nothing. */
  reorder: (body: ReorderBody) => api.post<Reordered>('/lead-assignment/reorder', body),
};
