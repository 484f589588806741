import { api } from '../../api/client';
import type { BodyOf, ResponseOf } from '../../api/types';

/** The Lead assignment page's own routes (docs/automation.md "Assignment rules"); every write goes through the record API. */
export type AssignmentPreview = ResponseOf<'previewLeadAssignment'>;
export type PreviewBody = BodyOf<'previewLeadAssignment'>;
export type NextTurns = ResponseOf<'getAssignmentNextTurns'>;

export const assignmentApi = {
  preview: (body: PreviewBody) => api.post<AssignmentPreview>('/lead-assignment/preview', body),
  nextTurns: (signal?: AbortSignal) => api.get<NextTurns>('/lead-assignment/next-turns', { signal }),
};
