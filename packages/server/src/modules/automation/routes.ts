import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';
import { hasCapability } from '../../platform/access/policy.ts';
import { forbidden } from '../../platform/errors.ts';
import { automationActionTypes, automationAction } from './actions/registry.ts';
import { dryRunRule } from './commands/dryRun.ts';
import { previewRule } from './commands/preview.ts';
import { getRun, listRuns, retryRun, RUN_STATUSES, type RunFilter } from './commands/log.ts';
import { MANAGE_RULES } from './hooks.ts';

const tags = ['automation'];
const Nullable = <S extends ReturnType<typeof T.String>>(s: S) => T.Union([s, T.Null()]);
export const RunSchema = T.Object({
  id: T.String(), rule: T.String(), ruleName: T.String(), object: T.String(), record: T.String(), event: T.String(),
  trigger: T.String(), operation: T.String(), status: T.String({ enum: [...RUN_STATUSES] }), conditionResult: T.Union([T.Boolean(), T.Null()]),
  depth: T.Integer(), chain: T.Array(T.String()), actedFor: Nullable(T.String()), attempts: T.Integer(), dueAt: Nullable(T.String({ description: 'Time-based runs: when the actions are due' })), nextAttemptAt: Nullable(T.String()),
  actions: T.Array(T.Object({
    index: T.Integer(), type: T.String(), status: T.String(), ms: T.Number(),
    result: T.Optional(T.Object({}, { additionalProperties: true })), error: T.Optional(T.String()),
  })),
  error: Nullable(T.String()), durationMs: T.Union([T.Integer(), T.Null()]), createdAt: T.String(), finishedAt: Nullable(T.String()),
}, { description: 'One run of a workflow rule for one record: trigger, condition result, each action with its result, duration and error' });
const DryRun = T.Object({
  rule: T.Object({ id: T.String(), name: T.String() }),
  records: T.Array(T.Object({
    id: T.String(), name: T.String(), conditionMet: T.Boolean(),
    actions: T.Array(T.Object({ type: T.String(), description: Nullable(T.String()), error: Nullable(T.String()) })),
  })),
  nextCursor: Nullable(T.String()),
});

const Preview = T.Object({
  record: T.Object({ id: T.String(), name: T.String() }),
  conditionMet: T.Boolean(),
  actions: T.Array(T.Object({
    type: T.String(), description: Nullable(T.String()), error: Nullable(T.String()),
    texts: T.Array(T.Object({ path: T.String(), text: Nullable(T.String()), error: Nullable(T.String()) })),
  })),
});

/** The execution log, the retry button, the dry run and the action catalogue (docs/automation.md). Thin: each calls one command. */
export function registerAutomationRoutes(app: FastifyInstance, platform: Platform): void {
  const gate = (request: FastifyRequest) => {
    const ctx = recordContext(platform, request);
    if (!hasCapability(ctx.actor, MANAGE_RULES)) throw forbidden('The workflow rules need the "Manage workflow rules" permission');
    return ctx;
  };

  app.get('/api/v1/automation/runs', {
    schema: routeSchema({
      tags, operationId: 'listAutomationRuns', summary: 'The execution log of workflow rules, newest first, by rule, record, status and time',
      querystring: T.Object({
        rule: T.Optional(Uuid), record: T.Optional(Uuid), status: T.Optional(T.String({ enum: [...RUN_STATUSES] })),
        since: T.Optional(T.String({ format: 'date-time' })), until: T.Optional(T.String({ format: 'date-time' })),
        before: T.Optional(Uuid), limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })),
      }, { additionalProperties: false }),
      response: { 200: T.Object({ data: T.Array(RunSchema), next: Nullable(T.String()) }) },
    }),
  }, async (request) => listRuns(gate(request), request.query as RunFilter));

  app.get('/api/v1/automation/runs/:id', {
    schema: routeSchema({ tags, operationId: 'getAutomationRun', summary: 'One run with each action’s result', params: T.Object({ id: PathId }), response: { 200: RunSchema } }),
  }, async (request) => getRun(gate(request), (request.params as { id: string }).id));

  app.post('/api/v1/automation/runs/:id/retry', {
    schema: routeSchema({
      tags, operationId: 'retryAutomationRun', summary: 'Run a failed run again now (409 when it has not failed)',
      params: T.Object({ id: PathId }), body: T.Optional(T.Object({}, { additionalProperties: false })), response: { 200: RunSchema },
    }),
  }, async (request) => retryRun(gate(request), (request.params as { id: string }).id));

  app.post('/api/v1/automation/rules/:id/dry-run', {
    schema: routeSchema({
      tags, operationId: 'dryRunAutomationRule', summary: 'Evaluate a rule against existing records (a page at a time) and say what each action would do; changes and sends nothing',
      params: T.Object({ id: PathId }),
      body: T.Optional(T.Object({ limit: T.Optional(T.Integer({ minimum: 1, maximum: 100 })), cursor: T.Optional(T.String({ maxLength: 2000 })) }, { additionalProperties: false })),
      response: { 200: DryRun },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const body = (request.body ?? {}) as { limit?: number; cursor?: string };
    return dryRunRule({ ctx: gate(request), ruleId: (request.params as { id: string }).id, ...body });
  });

  app.post('/api/v1/automation/rules/preview', {
    schema: routeSchema({
      tags, operationId: 'previewAutomationRule', summary: 'A rule as edited (not saved) against one record: whether its condition holds, what each action would do and every template rendered; changes and sends nothing',
      body: T.Object({
        rule: T.Object({}, { additionalProperties: true, description: 'The rule\'s fields as they would be saved (condition and actions as JSON text)' }),
        record: Uuid,
      }, { additionalProperties: false }),
      response: { 200: Preview },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const body = request.body as { rule: Record<string, unknown>; record: string };
    return previewRule({ ctx: gate(request), rule: body.rule, recordId: body.record });
  });

  app.get('/api/v1/automation/actions', {
    schema: routeSchema({
      tags, operationId: 'listAutomationActions', summary: 'The actions rules may take (the registry: built-in and added by modules)',
      response: { 200: T.Object({ data: T.Array(T.Object({ type: T.String(), label: T.String(), phases: T.Array(T.String()) })) }) },
    }),
  }, async (request) => {
    recordContext(platform, request);
    return { data: automationActionTypes().map((type) => { const a = automationAction(type)!; return { type, label: a.label, phases: [...a.phases] }; }) };
  });
}
