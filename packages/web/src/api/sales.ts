import { api } from './client';
import type { RecordData } from './types';

const enc = encodeURIComponent;

export interface TreeNode {
  id: string;
  name: string;
  parent_account: string | null;
  depth: number;
  path: string[];
  has_children: boolean;
}
export interface Money {
  currency: string;
  amount: number;
}
export interface Rollup {
  account: string;
  accounts: number;
  contacts: number;
  openOpportunities: number;
  openPipeline: Money[];
  weightedPipeline: Money[];
  wonOpportunities: number;
  won: Money[];
}
export interface TeamMember {
  userId: string;
  teamRole: string;
  access: 'read' | 'edit';
}
export interface ConvertMatch {
  id: string;
  name: string;
  rule: string;
  score: number;
  reuse: boolean;
  email?: string;
  website?: string;
}
export interface ConvertPreview {
  lead: RecordData;
  accounts: ConvertMatch[];
  contacts: ConvertMatch[];
  newAccount: Record<string, unknown>;
  newContact: Record<string, unknown>;
  newOpportunity: { name?: string; close_date?: string; amount?: number };
}
export interface ConvertInput {
  accountId?: string | null;
  contactId?: string | null;
  createOpportunity?: boolean;
  opportunity?: { name?: string; close_date?: string; amount?: number };
  allowDuplicate?: boolean;
}
export interface ConvertResult {
  lead: RecordData;
  account: { id: string; name: string; created: boolean };
  contact: { id: string; name: string; created: boolean };
  opportunity: { id: string; name: string } | null;
}
export interface CloseInput {
  outcome: 'won' | 'partially_won' | 'lost';
  wonAmount?: number;
  lostReason?: string;
  lostReasonDetail?: string;
  createProject?: boolean;
}
export interface DuplicatePair {
  records: { id: string; name: string }[];
  rules: string[];
  score: number;
}

export const salesApi = {
  tree: (id: string) => api.get<{ root: string; truncated: boolean; nodes: TreeNode[] }>(`/account/${enc(id)}/tree`),
  rollup: (id: string) => api.get<Rollup>(`/account/${enc(id)}/rollup`),
  team: (object: string, id: string) => api.get<{ data: TeamMember[] }>(`/${enc(object)}/${enc(id)}/team`).then((r) => r.data),
  addTeamMember: (object: string, id: string, m: Partial<TeamMember>) => api.post<{ data: TeamMember[] }>(`/${enc(object)}/${enc(id)}/team`, m),
  removeTeamMember: (object: string, id: string, userId: string) => api.del(`/${enc(object)}/${enc(id)}/team/${enc(userId)}`),
  convertPreview: (leadId: string) => api.get<ConvertPreview>(`/lead/${enc(leadId)}/convert-preview`),
  convert: (leadId: string, input: ConvertInput, idempotencyKey: string) =>
    api.post<ConvertResult>(`/lead/${enc(leadId)}/convert`, input, { headers: { 'idempotency-key': idempotencyKey } }),
  close: (id: string, input: CloseInput) => api.post<{ opportunity: RecordData }>(`/opportunity/${enc(id)}/close`, input),
  duplicates: (object: string) => api.get<{ data: DuplicatePair[] }>(`/${enc(object)}/duplicates?limit=50`).then((r) => r.data),
  merge: (object: string, body: { masterId: string; duplicateIds: string[]; fieldChoices: Record<string, string> }) =>
    api.post<{ record: RecordData; merged: string[] }>(`/${enc(object)}/merge`, body),
};

/** The objects that have duplicate rules and a merge screen. */
export const MERGEABLE = ['account', 'contact', 'lead'];
