import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { withIdempotency } from '../../platform/http/idempotency.ts';
import { listRecords, resolveDisplayNames } from '../../platform/records/read.ts';
import { UUID_RE } from '../../platform/records/values.ts';
import { closeOpportunity, parseCloseInput } from './commands/closeOpportunity.ts';
import { convertLead, parseConvertInput } from './commands/convertLead.ts';
import { mergeRecords, parseMergeInput } from './commands/mergeRecords.ts';
import { previewLeadConversion } from './commands/previewLeadConversion.ts';
import { listDuplicatePairs } from './duplicates/check.ts';
import { DUPLICATE_RULES } from './duplicates/rules.ts';
import { getAccountRollup, getAccountTree, inSubtreeCondition, parseDepth } from './queries/accountTree.ts';

type Q = Record<string, string | undefined>;
type P = { object: string; id: string };

/**
 * Routes of the sales module beyond generic CRUD: parse, call one command or query, answer.
 * The behaviour lives in commands/ and queries/; docs/sales.md has curl examples.
 */
export function registerSalesRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();

  registerSubtreeList(app, platform);

  app.get('/api/v1/account/:id/tree', async (request) => {
    const q = request.query as Q;
    return getAccountTree({ ctx: ctxOf(request), id: (request.params as P).id, depth: parseDepth(q.depth), limit: parseLimit(q.limit, 10_000) });
  });

  app.get('/api/v1/account/:id/rollup', async (request) => getAccountRollup({ ctx: ctxOf(request), id: (request.params as P).id }));

  for (const object of Object.keys(DUPLICATE_RULES)) {
    app.get(`/api/v1/${object}/duplicates`, async (request) => {
      await fresh();
      const limit = parseLimit((request.query as Q).limit, 100) ?? 100;
      return { data: await listDuplicatePairs({ ctx: ctxOf(request), object: platform.registry.requireObject(object), limit }) };
    });
  }

  app.post('/api/v1/:object/merge', async (request, reply) => {
    await fresh();
    const object = platform.registry.requireObject((request.params as P).object);
    const input = parseMergeInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => mergeRecords({ ctx, object, input }) });
  });

  app.get('/api/v1/lead/:id/convert-preview', async (request) => previewLeadConversion({ ctx: ctxOf(request), leadId: (request.params as P).id }));

  app.post('/api/v1/lead/:id/convert', async (request, reply) => {
    const input = parseConvertInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => convertLead({ ctx, leadId: (request.params as P).id, input }) });
  });

  app.post('/api/v1/opportunity/:id/close', async (request, reply) => {
    const input = parseCloseInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => closeOpportunity({ ctx, id: (request.params as P).id, input }) });
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
