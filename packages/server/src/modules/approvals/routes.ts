import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { adminsOnly, recordContext } from '../../platform/http/context.ts';
import { requireActor } from '../../platform/http/context.ts';
import { DataList, NoContent, PathId, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';
import { systemActor } from '../../platform/records/context.ts';
import { activeProcesses, ProcessInputSchema, readProcesses, type ProcessInput } from './process.ts';
import { deleteApprovalProcess, saveApprovalProcess } from './commands/processes.ts';
import { canSubmitForApproval, submitForApproval } from './commands/submit.ts';
import { decideApproval, decideByLink } from './commands/decide.ts';
import { recallApproval } from './commands/recall.ts';
import { approvalHistory, approvalInbox } from './queries.ts';

const tags = ['approvals'];
const Nullable = T.Union([T.String(), T.Null()]);
const IdParams = T.Object({ id: PathId });
export const ProcessSchema = T.Object({ ...ProcessInputSchema.properties, id: Uuid, sortOrder: T.Integer() }, { description: 'An approval process (docs/automation.md#approvals)' });
const Outcome = T.Object({ request: Uuid, status: T.String({ description: 'pending, approved, rejected or recalled' }) });
const Comment = T.Optional(T.Union([T.String({ maxLength: 4000 }), T.Null()]));
export const InboxItemSchema = T.Object({
  stepResult: Uuid, request: Uuid, name: T.String(), object: T.String(), recordId: T.String(), process: T.String(), step: T.String(),
  submittedBy: Nullable, submittedByName: Nullable, submittedAt: Nullable, comment: Nullable,
});
export const HistoryEntrySchema = T.Object({
  id: Uuid, name: T.String(), process: T.String(), status: T.String(), step: Nullable, submittedBy: Nullable, submittedByName: Nullable,
  submittedAt: Nullable, decidedAt: Nullable, comment: Nullable,
  results: T.Array(T.Object({ id: Uuid, step: T.Integer(), stepName: T.String(), approver: Nullable, approverName: Nullable, decision: T.String(), comment: Nullable, decidedAt: Nullable, via: Nullable })),
});

/** Approvals (AUT-3): processes (admins), submit / approve / reject / recall, the inbox, a record's history, and the e-mail link's answer. Thin. */
export function registerApprovalRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  const commentOf = (request: FastifyRequest) => (request.body as { comment?: string | null } | undefined)?.comment ?? null;

  app.get('/api/v1/approval-processes', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'listApprovalProcesses', summary: 'Every approval process, by object and order (admins)', response: { 200: DataList(ProcessSchema) } }),
  }, async () => ({ data: await readProcesses(platform.db) }));

  app.post('/api/v1/approval-processes', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'createApprovalProcess', summary: 'Create an approval process (admins)', body: ProcessInputSchema, response: { 201: ProcessSchema } }),
  }, async (request, reply) => {
    await fresh();
    return reply.status(201).send(await saveApprovalProcess({ platform, actor: requireActor(request), input: request.body as ProcessInput }));
  });

  app.put('/api/v1/approval-processes/:id', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'replaceApprovalProcess', summary: 'Replace an approval process (admins); pending requests keep running on it', params: IdParams, body: ProcessInputSchema, response: { 200: ProcessSchema } }),
  }, async (request) => {
    await fresh();
    return saveApprovalProcess({ platform, actor: requireActor(request), id: idOf(request), input: request.body as ProcessInput });
  });

  app.delete('/api/v1/approval-processes/:id', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'deleteApprovalProcess', summary: 'Delete an approval process (admins)', params: IdParams, response: { 204: NoContent } }),
  }, async (request, reply) => {
    await deleteApprovalProcess({ platform, actor: requireActor(request), id: idOf(request) });
    return reply.status(204).send();
  });

  app.post('/api/v1/approvals', {
    schema: routeSchema({
      tags, operationId: 'submitForApproval', summary: 'Submit a record for approval (the first active process whose entry criteria it meets); the record is locked while pending',
      body: T.Object({ object: T.String({ minLength: 1, maxLength: 100 }), recordId: T.String({ minLength: 1, maxLength: 64 }), comment: Comment }, { additionalProperties: false }),
      response: { 201: Outcome },
    }),
  }, async (request, reply) => {
    await fresh();
    const body = request.body as { object: string; recordId: string; comment?: string | null };
    return reply.status(201).send(await submitForApproval({ ctx: ctxOf(request), object: body.object, recordId: body.recordId, comment: body.comment }));
  });

  const CommentBody = T.Object({ comment: Comment }, { additionalProperties: false });
  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/api/v1/approvals/:id/${decision}`, {
      schema: routeSchema({
        tags, operationId: `${decision}Approval`, params: IdParams, body: CommentBody, response: { 200: Outcome },
        summary: decision === 'approve' ? 'Approve the step a request waits at (as one of its approvers)' : 'Reject a request at its current step, with a comment (as one of its approvers)',
      }),
    }, async (request) => {
      await fresh();
      return decideApproval({ ctx: ctxOf(request), requestId: idOf(request), decision, comment: commentOf(request) });
    });
  }

  app.post('/api/v1/approvals/:id/recall', {
    schema: routeSchema({ tags, operationId: 'recallApproval', summary: 'Recall a pending request (its submitter or an admin); the record is unlocked', params: IdParams, body: CommentBody, response: { 200: Outcome } }),
  }, async (request) => {
    await fresh();
    return recallApproval({ ctx: ctxOf(request), requestId: idOf(request), comment: commentOf(request) });
  });

  app.get('/api/v1/approvals/inbox', {
    schema: routeSchema({ tags, operationId: 'getApprovalInbox', summary: 'The requests waiting for my answer, oldest first', response: { 200: DataList(InboxItemSchema) } }),
  }, async (request) => ({ data: await approvalInbox(ctxOf(request)) }));

  app.get('/api/v1/approvals/history/:object/:id', {
    schema: routeSchema({ tags, operationId: 'getApprovalHistory', summary: "A record's approval requests, newest first, with every approver's answer", params: T.Object({ object: T.String({ maxLength: 100 }), id: PathId }), response: { 200: DataList(HistoryEntrySchema, { activeProcesses: T.Integer({ description: "How many active processes the record's object has (0: nothing to submit to)" }), canSubmit: T.Boolean({ description: 'Whether this user may submit the record now: nothing pending, an active process applies to it, and the user is one of its submitters' }) }) } }),
  }, async (request) => {
    await fresh();
    const { object, id } = request.params as { object: string; id: string };
    const data = await approvalHistory(ctxOf(request), object, id);
    const canSubmit = await canSubmitForApproval({ ctx: ctxOf(request), object, recordId: id });
    return { data, activeProcesses: (await activeProcesses(platform, platform.db)).get(object)?.length ?? 0, canSubmit };
  });

  app.post('/api/v1/public/approvals/respond', {
    config: { public: true },
    schema: routeSchema({
      tags, operationId: 'answerApprovalByLink', security: [], summary: "Approve or reject with the token of an approval e-mail's link (works once, expires)",
      body: T.Object({ token: T.String({ maxLength: 100 }), decision: T.Union([T.Literal('approve'), T.Literal('reject')]), comment: Comment }, { additionalProperties: false }),
      response: { 200: Outcome },
    }),
  }, async (request) => {
    await fresh();
    const body = request.body as { token: string; decision: 'approve' | 'reject'; comment?: string | null };
    return decideByLink({ ctx: { platform, actor: { ...systemActor('api'), isAdmin: false } }, token: body.token, decision: body.decision, comment: body.comment });
  });
}
