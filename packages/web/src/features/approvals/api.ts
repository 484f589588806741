import { api, request } from '../../api/client';
import type { BodyOf, ResponseOf } from '../../api/types';

/** Approvals (docs/automation.md#approvals): the inbox, a record's history, and the commands. */
export type InboxItem = ResponseOf<'getApprovalInbox'>['data'][number];
export type ApprovalHistory = ResponseOf<'getApprovalHistory'>;
export type ApprovalEntry = ApprovalHistory['data'][number];
export type Outcome = ResponseOf<'approveApproval'>;
/** A process as the admins' list answers it, and as a save sends it (docs/automation.md#a-process). */
export type ApprovalProcess = ResponseOf<'listApprovalProcesses'>['data'][number];
export type ProcessInput = BodyOf<'createApprovalProcess'>;
export type ProcessStep = ProcessInput['steps'][number];
export type ApproverSpec = ProcessStep['approvers'][number];
export type SubmitterSpec = ProcessInput['submitters'][number];
export type UpdateMoment = keyof NonNullable<ProcessInput['fieldUpdates']>;

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
  /** Approval processes (admins): list, create, replace, delete. */
  processes: () => api.get<ResponseOf<'listApprovalProcesses'>>('/approval-processes').then((r) => r.data),
  saveProcess: (input: ProcessInput, id?: string) => (id
    ? request<ResponseOf<'replaceApprovalProcess'>>(`/approval-processes/${enc(id)}`, { method: 'PUT', body: input })
    : api.post<ResponseOf<'createApprovalProcess', 201>>('/approval-processes', input)),
  deleteProcess: (id: string) => api.del(`/approval-processes/${enc(id)}`),
};

/** A listed process as the body that saves it again (the list's answer adds the id). */
export function processInput({ id: _id, ...input }: ApprovalProcess): ProcessInput {
  return input;
}

export const processesKey = ['approvals', 'processes'];

export const STATUS_COLORS: Record<string, string> = { pending: 'yellow', approved: 'green', rejected: 'red', recalled: 'gray', not_needed: 'gray' };
export const label = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replaceAll('_', ' ');
