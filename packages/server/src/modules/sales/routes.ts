import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { badRequest } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, RecordSchema, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';
import { withIdempotency } from '../../platform/http/idempotency.ts';
import { listRecords, resolveDisplayNames } from '../../platform/records/read.ts';
import { UUID_RE } from '../../platform/records/values.ts';
import { closeOpportunity, parseCloseInput } from './commands/closeOpportunity.ts';
import { convertLead, parseConvertInput } from './commands/convertLead.ts';
import { mergeRecords, parseMergeInput } from './commands/mergeRecords.ts';
import { previewLeadConversion } from './commands/previewLeadConversion.ts';
import { listPipelineStages } from './queries/pipelines.ts';
import { summarizeBoard } from './queries/boardSummary.ts';
import { listDuplicatePairs } from './duplicates/check.ts';
import { DUPLICATE_RULES } from './duplicates/rules.ts';
import { getAccountRollup, getAccountTree, inSubtreeCondition, parseDepth } from './queries/accountTree.ts';

type Q = Record<string, string | undefined>;
type P = { object: string; id: string };

const IdParams = T.Object({ id: PathId });
const Nullable = <S extends TSchema>(schema: S) => T.Union([schema, T.Null()]);
const TreeNodeSchema = T.Object({
  id: Uuid, name: T.String(), parent_account: Nullable(Uuid), depth: T.Integer(),
  path: T.Array(Uuid, { description: 'Ids from the requested account down to this one' }),
  has_children: T.Boolean({ description: 'Whether it has children (also those below the depth limit)' }),
});
const MoneyList = Nullable(T.Array(T.Object({ currency: T.String(), amount: T.Number() }), { description: 'Per currency (never added across currencies); null when your profile does not show it' }));
const CountOrHidden = Nullable(T.Integer());
const RollupSchema = T.Object({
  account: Uuid, accounts: T.Integer(), contacts: CountOrHidden, openOpportunities: CountOrHidden, openPipeline: MoneyList, weightedPipeline: MoneyList, wonOpportunities: CountOrHidden, won: MoneyList,
}, { description: 'Counts and sums over the subtree, of what you can see' });
const PairSchema = T.Object({ records: T.Array(T.Object({ id: Uuid, name: T.String() })), rules: T.Array(T.String()), score: T.Number() }, { description: 'A pair of records, the rules that matched and the score' });
const Match = (extra: Parameters<typeof T.Object>[0]) => T.Object({ id: Uuid, name: T.String(), rule: T.String(), score: T.Number(), reuse: T.Boolean({ description: 'Converting reuses this record' }), ...extra });
const PreviewSchema = T.Object({
  lead: T.Object({ id: Uuid, name: T.String(), company: Nullable(T.String()), email: Nullable(T.String()), status: T.String(), converted: T.Boolean() }),
  accounts: T.Array(Match({ website: Nullable(T.String()) })),
  contacts: T.Array(Match({ email: Nullable(T.String()), account: Nullable(Uuid) })),
  newAccount: T.Record(T.String(), T.Unknown(), { description: 'Values a new account would get' }),
  newContact: T.Record(T.String(), T.Unknown(), { description: 'Values a new contact would get' }),
  newOpportunity: T.Object({ name: T.Optional(T.String()), close_date: T.Optional(T.String()), amount: T.Optional(Nullable(T.Number())) }, { additionalProperties: true, description: 'Values a new opportunity would get' }),
}, { description: 'Matching accounts and contacts, and the values the new records would get' });
const tags = ['sales'];
const Limit = (max: number) => T.Optional(T.String({ pattern: '^[0-9]{1,6}$', description: `1 to ${max}` }));

/**
 * Routes of the sales module beyond generic CRUD: parse, call one command or query, answer.
 * The behaviour lives in commands/ and queries/; docs/sales.md has curl examples.
 */
export function registerSalesRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();

  registerSubtreeList(app, platform);

  app.get('/api/v1/account/:id/tree', {
    schema: routeSchema({
      tags,
      operationId: 'getAccountTree',
      summary: "An account's subtree, as far as you can see it",
      params: IdParams,
      querystring: T.Object({ depth: T.Optional(T.String({ maxLength: 4 })), limit: Limit(10_000) }),
      response: { 200: T.Object({ root: Uuid, nodes: T.Array(TreeNodeSchema), truncated: T.Boolean() }) },
    }),
  }, async (request) => {
    const q = request.query as Q;
    return getAccountTree({ ctx: ctxOf(request), id: (request.params as P).id, depth: parseDepth(q.depth), limit: parseLimit(q.limit, 10_000) });
  });

  app.get('/api/v1/account/:id/rollup', {
    schema: routeSchema({ tags, operationId: 'getAccountRollup', summary: 'Totals over an account and its subtree, of what you can see', params: IdParams, response: { 200: RollupSchema } }),
  }, async (request) => getAccountRollup({ ctx: ctxOf(request), id: (request.params as P).id }));

  for (const object of Object.keys(DUPLICATE_RULES)) {
    app.get(`/api/v1/${object}/duplicates`, {
      schema: routeSchema({
        tags,
        operationId: `list${object.charAt(0).toUpperCase()}${object.slice(1)}Duplicates`,
        summary: `Possible duplicate ${object}s by the duplicate rules`,
        querystring: T.Object({ limit: Limit(100) }),
        response: { 200: T.Object({ data: T.Array(PairSchema) }) },
      }),
    }, async (request) => {
      await fresh();
      const limit = parseLimit((request.query as Q).limit, 100) ?? 100;
      return { data: await listDuplicatePairs({ ctx: ctxOf(request), object: platform.registry.requireObject(object), limit }) };
    });
  }

  app.post('/api/v1/:object/merge', {
    schema: routeSchema({
      tags,
      operationId: 'mergeRecords',
      summary: 'Merge duplicates into a master record, choosing values field by field',
      params: T.Object({ object: T.String({ maxLength: 63 }) }),
      body: T.Object({ masterId: T.String({ maxLength: 64 }), duplicateIds: T.Array(T.String({ maxLength: 64 }), { minItems: 1, maxItems: 10 }), fieldChoices: T.Optional(T.Record(T.String(), T.String({ maxLength: 64 }))) }, { additionalProperties: false }),
      response: { 200: T.Object({ record: RecordSchema, merged: T.Array(Uuid), repointed: T.Array(T.Object({ object: T.String(), field: T.String(), count: T.Integer() })) }) },
    }),
  }, async (request, reply) => {
    await fresh();
    const object = platform.registry.requireObject((request.params as P).object);
    const input = parseMergeInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => mergeRecords({ ctx, object, input }) });
  });

  app.get('/api/v1/lead/:id/convert-preview', {
    schema: routeSchema({ tags, operationId: 'previewLeadConversion', summary: 'What converting a lead would match or create', params: IdParams, response: { 200: PreviewSchema } }),
  }, async (request) => previewLeadConversion({ ctx: ctxOf(request), leadId: (request.params as P).id }));

  app.post('/api/v1/lead/:id/convert', {
    schema: routeSchema({
      tags,
      operationId: 'convertLead',
      summary: 'Convert a lead into an account, contact and optionally an opportunity, in one transaction',
      params: IdParams,
      body: T.Object({
        accountId: T.Optional(T.Union([T.String({ maxLength: 64 }), T.Null()])),
        contactId: T.Optional(T.Union([T.String({ maxLength: 64 }), T.Null()])),
        createOpportunity: T.Optional(T.Boolean()),
        opportunity: T.Optional(T.Record(T.String(), T.Unknown(), { description: 'Fields of the new opportunity' })),
        allowDuplicate: T.Optional(T.Boolean()),
      }, { additionalProperties: false }),
      response: {
        200: T.Object({
          lead: RecordSchema,
          account: T.Object({ id: Uuid, name: T.String(), created: T.Boolean() }),
          contact: T.Object({ id: Uuid, name: T.String(), created: T.Boolean() }),
          opportunity: T.Union([T.Object({ id: Uuid, name: T.String() }), T.Null()]),
          moved: T.Record(T.String(), T.Integer()),
        }),
      },
    }),
  }, async (request, reply) => {
    const input = parseConvertInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => convertLead({ ctx, leadId: (request.params as P).id, input }) });
  });

  app.post('/api/v1/opportunity/:id/close', {
    schema: routeSchema({
      tags,
      operationId: 'closeOpportunity',
      summary: 'Close a deal as won, partially won or lost (optionally creating a project)',
      params: IdParams,
      body: T.Object({
        outcome: T.Union([T.Literal('won'), T.Literal('partially_won'), T.Literal('lost')]),
        wonAmount: T.Optional(T.Number()),
        lostReason: T.Optional(T.String({ maxLength: 63 })),
        lostReasonDetail: T.Optional(T.String({ maxLength: 10_000 })),
        createProject: T.Optional(T.Boolean()),
        project: T.Optional(T.Record(T.String(), T.Unknown(), { description: 'Fields of the project over the defaults from the deal' })),
      }, { additionalProperties: false }),
      response: { 200: T.Object({ opportunity: RecordSchema, project: T.Union([RecordSchema, T.Null()]), reviewTask: T.Union([T.Object({ id: Uuid, owner: T.Union([Uuid, T.Null()]) }), T.Null()]) }) },
    }),
  }, async (request, reply) => {
    const input = parseCloseInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => closeOpportunity({ ctx, id: (request.params as P).id, input }) });
  });

  // The board's column headers: per stage, count and amounts of all the deals the board would
  // show (not only the cards loaded so far), under the caller's access.
  app.post('/api/v1/sales/board-summary', {
    schema: routeSchema({
      tags,
      operationId: 'summarizeOpportunityBoard',
      summary: 'Per stage: how many opportunities, their amount and weighted amount per currency, of those you can see',
      body: T.Object({ filter: T.Optional(T.Unknown({ description: 'A list filter, as for POST /api/v1/opportunity/query' })) }, { additionalProperties: false }),
      response: {
        200: T.Object({
          stages: T.Array(T.Object({
            stage: Nullable(T.String()),
            count: T.Integer(),
            totals: Nullable(T.Array(T.Object({ currency: T.String(), amount: T.Number(), weighted: T.Number({ description: 'Sum of amount × probability' }) }), { description: 'Per currency (never added across currencies); null when your profile does not show amount' })),
          })),
        }),
      },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return summarizeBoard({ ctx: ctxOf(request), filter: (request.body as { filter?: unknown } | undefined)?.filter });
  });

  app.get('/api/v1/sales/stages', {
    schema: routeSchema({
      tags,
      operationId: 'listPipelineStages',
      summary: "A pipeline's stages in order with their outcome (the default pipeline's when none is named): the stage path and the board read them",
      querystring: T.Object({ pipeline: T.Optional(Uuid) }),
      response: {
        200: T.Object({
          pipeline: Nullable(Uuid),
          stages: T.Array(T.Object({
            value: T.String(), name: T.String(), order: T.Number(), probability: Nullable(T.Number()),
            outcome: T.Union([T.Literal('open'), T.Literal('won'), T.Literal('partially_won'), T.Literal('lost')]),
            allowedBackward: T.Array(T.String()),
          })),
        }),
      },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return listPipelineStages({ ctx: ctxOf(request), pipeline: (request.query as { pipeline?: string }).pipeline ?? null });
  });
}

function parseLimit(value: string | undefined, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`limit must be between 1 and ${max}`, [{ field: 'limit', code: 'out_of_range', message: `Between 1 and ${max}` }]);
  return n;
}

/**
 * `GET /api/v1/account?subtreeOf=<id>`: the account list restricted to a subtree, with the usual
 * filter/sort/fields/limit/cursor. A route constraint sends only requests carrying subtreeOf
 * here; every other account list request still takes the generic records route.
 */
function registerSubtreeList(app: FastifyInstance, platform: Platform): void {
  app.addConstraintStrategy({
    name: 'salesSubtreeOf',
    storage() {
      const handlers = new Map<string, unknown>();
      return { get: (k: string) => (handlers.get(k) ?? null) as never, set: (k: string, v: unknown) => void handlers.set(k, v) };
    },
    deriveConstraint: (req: { url?: string }) => (/[?&]subtreeOf=/.test(req.url ?? '') ? 'yes' : undefined),
    mustMatchWhenDerived: false,
  } as never);
  app.get('/api/v1/account', { constraints: { salesSubtreeOf: 'yes' } as never }, async (request) => {
    await platform.registry.ensureFresh();
    const q = request.query as Q;
    if (!q.subtreeOf || !UUID_RE.test(q.subtreeOf)) throw badRequest('subtreeOf must be an account id', [{ field: 'subtreeOf', code: 'invalid_reference', message: 'An account id' }]);
    const ctx = recordContext(platform, request);
    const object = platform.registry.requireObject('account');
    let filter: unknown;
    if (q.filter) {
      try {
        filter = JSON.parse(q.filter);
      } catch {
        throw badRequest('filter is not valid JSON', [{ field: 'filter', code: 'invalid_json', message: 'filter must be URL-encoded JSON' }]);
      }
    }
    const result = await listRecords({
      ctx,
      object,
      filter,
      sort: q.sort,
      fields: q.fields ? q.fields.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      limit: q.limit ? parseLimit(q.limit, 200) : undefined,
      cursor: q.cursor || undefined,
      where: inSubtreeCondition(ctx, q.subtreeOf.toLowerCase()),
    });
    if (q.display === 'true' || q.display === '1') return { ...result, display: await resolveDisplayNames(ctx, object, result.data) };
    return result;
  });
}
