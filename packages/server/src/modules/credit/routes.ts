import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, RecordSchema, T, routeSchema } from '../../platform/http/schema/common.ts';
import { hasCapability } from '../../platform/access/policy.ts';
import { forbidden } from '../../platform/errors.ts';
import { getRecord } from '../../platform/records/read.ts';
import { RECOMPUTE_CREDIT } from './capabilities.ts';
import { computeCredit } from './commands/compute.ts';
import { overrideCreditLimit } from './commands/override.ts';
import { creditStanding } from './queries/standing.ts';

const tags = ['credit'];
const IdParams = T.Object({ id: PathId });
const Nullable = <S extends ReturnType<typeof T.Number>>(s: S) => T.Union([s, T.Null()]);
const NullableString = T.Union([T.String(), T.Null()]);

export const CreditStandingSchema = T.Object({
  account: T.String(),
  limit: Nullable(T.Number()),
  computedLimit: Nullable(T.Number()),
  override: T.Union([T.Object({ amount: T.Number(), reason: NullableString, by: NullableString, at: NullableString }), T.Null()]),
  currency: T.String(),
  available: Nullable(T.Number()),
  openBalance: T.Number(),
  openOrders: T.Number(),
  behaviour: NullableString,
  computedAt: NullableString,
  inputs: T.Union([T.Object({
    currency: T.String(), invoices: T.Integer(), onTime: T.Integer(), avgDaysLate: T.Number(), maxDaysLate: T.Number(),
    disputes: T.Integer(), reversals: T.Integer(), invoiced: T.Number(), months: T.Integer(),
  }), T.Null()]),
  steps: T.Array(T.Object({ label: T.String(), value: T.Number() })),
  formula: NullableString,
}, { description: "An account's credit limit, how it was computed, the override and what is available (docs/credit.md)" });

const Summary = T.Object({
  day: T.String(), accounts: T.Integer(), changed: T.Integer(), failed: T.Integer(),
  failures: T.Array(T.Object({ account: T.String(), message: T.String() })),
});

/** Credit routes (docs/credit.md): the standing, the override, recomputing one account or all. Thin. */
export function registerCreditRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get('/api/v1/accounts/:id/credit', {
    schema: routeSchema({ tags, operationId: 'getAccountCredit', summary: "An account's credit limit, its inputs and formula, the override and the available credit", params: IdParams, response: { 200: CreditStandingSchema } }),
  }, async (request) => {
    await fresh();
    return creditStanding(ctxOf(request), idOf(request));
  });

  app.post('/api/v1/accounts/:id/credit/override', {
    schema: routeSchema({
      tags, operationId: 'overrideAccountCreditLimit', summary: "Set (amount) or clear (null) an account's credit limit override, with the reason (kept in the account's history)", params: IdParams,
      body: T.Object({ amount: T.Union([T.Number({ minimum: 0 }), T.Null()]), reason: T.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 200: RecordSchema },
    }),
  }, async (request) => {
    await fresh();
    const body = request.body as { amount: number | null; reason: string };
    return overrideCreditLimit({ ctx: ctxOf(request), account: idOf(request), amount: body.amount, reason: body.reason });
  });

  app.post('/api/v1/accounts/:id/credit/recompute', {
    schema: routeSchema({ tags, operationId: 'recomputeAccountCredit', summary: "Compute an account's credit limit now (as the nightly job does); answers the standing", params: IdParams, response: { 200: CreditStandingSchema } }),
  }, async (request) => {
    await fresh();
    const ctx = ctxOf(request);
    const id = idOf(request);
    await getRecord({ ctx, object: platform.registry.requireObject('account'), id, fields: ['id'] });
    await computeCredit({ platform, ids: [id], trigger: 'manual', actor: ctx.actor });
    return creditStanding(ctx, id);
  });

  app.post('/api/v1/credit/recompute', {
    schema: routeSchema({ tags, operationId: 'recomputeAllCredit', summary: 'Compute every account’s credit limit now (the nightly job, by hand); answers how many accounts were computed and changed', response: { 200: Summary } }),
  }, async (request) => {
    await fresh();
    const ctx = ctxOf(request);
    if (!hasCapability(ctx.actor, RECOMPUTE_CREDIT)) throw forbidden('Recomputing every credit limit needs the "Recompute all credit limits" permission');
    return computeCredit({ platform, trigger: 'manual', actor: ctx.actor });
  });
}
