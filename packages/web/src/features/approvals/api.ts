import { api } from '../../api/client';
import type { ResponseOf } from '../../api/types';

/** Approvals (docs/automation.md#approvals): the inbox, a record's history, and the commands. */
export type InboxItem = ResponseOf<'getApprovalInbox'>['data'][number];
export type ApprovalHistory = ResponseOf<'getApprovalHistory'>;
export type ApprovalEntry = ApprovalHistory['data'][number];
export type Outcome = ResponseOf<'approveApproval'>;

const enc = encodeURIComponent;

export const approvalsApi = {
  inbox: () => api.get<{ data: InboxItem[] }>('/approvals/inbox'),
  history: (object: string, id: string) => api.get<ApprovalHistory>(`/approvals/history/${enc(object)}/${enc(id)}`),
  submit: (object: string, recordId: string, comment?: string) => api.post<Outcome>('/approvals', { object, recordId, ...(comment ? { comment } : {}) }),
  approve: (request: string, comment?: string) => api.post<Outcome>(`/approvals/${enc(request)}/approve`, comment ? { comment } : {}),
  reject: (request: string, comment: string) => api.post<Outcome>(`/approvals/${enc(request)}/reject`, { comment }),
  recall: (request: string, comment?: string) => api.post<Outcome>(`/approvals/${enc(request)}/recall`, comment ? { comment } : {}),
  /** The e-mail link's answer: public, the token stands for the approver. */
  respond: (token: string, decision: 'approve' | 'reject', comment?: string) => api.post<Outcome>('/public/approvals/respond', { token, decision, ...(comment ? { comment } : {}) }),
};

export const STATUS_COLORS: Record<string, string> = { pending: 'yellow', approved: 'green', rejected: 'red', recalled: 'gray', not_needed: 'gray' };
export const label = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replaceAll('_', ' ');
