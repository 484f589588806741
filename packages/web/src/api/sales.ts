import { api } from './client';
import type { BodyOf, Known, RecordData, ResponseOf } from './types';

const enc = encodeURIComponent;

type Tree = Known<ResponseOf<'getAccountTree'>>;
export type TreeNode = Known<Tree['nodes'][number]>;
/** null: the caller's profile does not show that object or amount (the server leaves it out). */
export type Rollup = Known<ResponseOf<'getAccountRollup'>>;
export type Money = Known<NonNullable<Rollup['won']>[number]>;
export type TeamMember = Known<ResponseOf<'listRecordTeam'>['data'][number]>;
export type ConvertPreview = Known<ResponseOf<'previewLeadConversion'>>;
type AccountMatch = Known<ConvertPreview['accounts'][number]>;
type ContactMatch = Known<ConvertPreview['contacts'][number]>;
/** An account or contact the lead may convert into. */
export type ConvertMatch = Omit<AccountMatch, 'website'> & Partial<Pick<AccountMatch, 'website'>> & Partial<Pick<ContactMatch, 'email' | 'account'>>;
export type ConvertInput = BodyOf<'convertLead'>;
export type ConvertResult = Known<ResponseOf<'convertLead'>>;
export type CloseInput = BodyOf<'closeOpportunity'>;
export type DuplicatePair = Known<ResponseOf<'listAccountDuplicates'>['data'][number]>;

export const salesApi = {
  tree: (id: string) => api.get<Tree>(`/account/${enc(id)}/tree`),
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
  boardSummary: (filter?: unknown) => api.post<BoardSummary>('/sales/board-summary', filter === undefined ? {} : { filter }),
  stages: (pipeline?: string | null) => api.get<PipelineStages>(`/sales/stages${pipeline ? `?pipeline=${enc(pipeline)}` : ''}`),
};

export type BoardSummary = Known<ResponseOf<'summarizeOpportunityBoard'>>;
export type PipelineStages = Known<ResponseOf<'listPipelineStages'>>;
export type PipelineStage = PipelineStages['stages'][number];
