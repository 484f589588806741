import { sql } from 'kysely';
import type { RecordContext } from '../../platform/records/context.ts';
import { getRecord } from '../../platform/records/read.ts';
import { notFound } from '../../platform/errors.ts';

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

export interface InboxItem {
  stepResult: string; request: string; name: string; object: string; recordId: string; process: string; step: string;
  submittedBy: string | null; submittedByName: string | null; submittedAt: string | null; comment: string | null;
}

/** What waits for the user's answer: their pending parts of pending requests, oldest first. */
export async function approvalInbox(ctx: RecordContext): Promise<InboxItem[]> {
  const r = await sql<Record<string, unknown>>`SELECT s.id AS step_result, q.id AS request, q.name, q.target_object, q.record_id, q.process, s.step_name,
      q.submitted_by_id, u.full_name AS submitted_by_name, q.submitted_at, q.comment
    FROM obj_approval_step_result s JOIN obj_approval_request q ON q.id = s.request_id
    LEFT JOIN obj_user u ON u.id = q.submitted_by_id
    WHERE s.approver_id = ${ctx.actor.userId}::uuid AND s.decision = 'pending' AND q.status = 'pending' AND s.deleted_at IS NULL AND q.deleted_at IS NULL
    ORDER BY q.submitted_at, s.id LIMIT 500`.execute(ctx.trx ?? ctx.platform.db);
  return r.rows.map((x) => ({
    stepResult: String(x.step_result), request: String(x.request), name: String(x.name), object: String(x.target_object), recordId: String(x.record_id),
    process: String(x.process), step: String(x.step_name ?? ''), submittedBy: (x.submitted_by_id as string) ?? null, submittedByName: (x.submitted_by_name as string) ?? null,
    submittedAt: iso(x.submitted_at), comment: (x.comment as string) ?? null,
  }));
}

export interface HistoryEntry {
  id: string; name: string; process: string; status: string; step: string | null; submittedBy: string | null; submittedByName: string | null;
  submittedAt: string | null; decidedAt: string | null; comment: string | null;
  results: Array<{ id: string; step: number; stepName: string; approver: string | null; approverName: string | null; decision: string; comment: string | null; decidedAt: string | null; via: string | null }>;
}

/**
 * The approval history of one record, newest request first, with every step result — for
 * anyone who can read the record (the read goes through the record service, so access applies).
 */
export async function approvalHistory(ctx: RecordContext, objectName: string, recordId: string): Promise<HistoryEntry[]> {
  const object = ctx.platform.registry.getObject(objectName);
  if (!object || object.writtenBySystem) throw notFound(`Object ${objectName.slice(0, 100)}`);
  await getRecord({ ctx, object, id: recordId, fields: ['id'] });
  const db = ctx.trx ?? ctx.platform.db;
  const requests = await sql<Record<string, unknown>>`SELECT q.*, u.full_name AS submitted_by_name FROM obj_approval_request q LEFT JOIN obj_user u ON u.id = q.submitted_by_id
    WHERE q.target_object = ${object.apiName} AND q.record_id = ${recordId} AND q.deleted_at IS NULL ORDER BY q.submitted_at DESC, q.id DESC LIMIT 100`.execute(db);
  if (!requests.rows.length) return [];
  const results = await sql<Record<string, unknown>>`SELECT s.*, u.full_name AS approver_name FROM obj_approval_step_result s LEFT JOIN obj_user u ON u.id = s.approver_id
    WHERE s.request_id = ANY(${requests.rows.map((q) => q.id as string)}::uuid[]) AND s.deleted_at IS NULL ORDER BY s.step, s.created_at, s.id`.execute(db);
  return requests.rows.map((q) => ({
    id: String(q.id), name: String(q.name), process: String(q.process), status: String(q.status), step: (q.step_name as string) ?? null,
    submittedBy: (q.submitted_by_id as string) ?? null, submittedByName: (q.submitted_by_name as string) ?? null,
    submittedAt: iso(q.submitted_at), decidedAt: iso(q.decided_at), comment: (q.comment as string) ?? null,
    results: results.rows.filter((s) => s.request_id === q.id).map((s) => ({
      id: String(s.id), step: Number(s.step), stepName: String(s.step_name ?? ''), approver: (s.approver_id as string) ?? null, approverName: (s.approver_name as string) ?? null,
      decision: String(s.decision), comment: (s.comment as string) ?? null, decidedAt: iso(s.decided_at), via: (s.decided_via as string) ?? null,
    })),
  }));
}
