import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, RecordSchema, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';
import { withIdempotency } from '../../platform/http/idempotency.ts';
import { commandRoutes } from '../../platform/http/commandRoutes.ts';
import { getRecord, listRecords, MAX_PAGE_SIZE, resolveDisplayNames } from '../../platform/records/read.ts';
import { inTransaction } from '../../platform/records/context.ts';
import { recordPayment, type RecordPaymentInput } from './commands/record.ts';
import { allocatePayment } from './commands/allocate.ts';
import { refundPayment, type RefundInput } from './commands/refund.ts';
import { reversePayment } from './commands/reverse.ts';
import { accountBalance } from './queries/balance.ts';
import { PAYMENT_METHODS } from './objects.ts';

const tags = ['payments'];
const Amount = T.Union([T.Number(), T.String({ maxLength: 40 })]);
const Day = T.String({ format: 'date', maxLength: 10 });
const Allocations = T.Array(T.Object({ invoice: Uuid, amount: Amount }, { additionalProperties: false }), { maxItems: 500 });
const PaymentWithAllocations = T.Object({ payment: RecordSchema, allocations: T.Array(RecordSchema) });
const Money = T.String({ description: 'A decimal amount, exact' });
const Balance = T.Object({
  account: Uuid, includeChildren: T.Boolean(), asOf: T.String(), accounts: T.Integer(),
  currencies: T.Array(T.Object({
    currency: T.String(), balance: Money, invoiced: Money, credited: Money, paid: Money, refunded: Money, open: Money, credit: Money, overdue: Money,
    aging: T.Object({ current: Money, days_1_30: Money, days_31_60: Money, days_61_90: Money, over_90: Money }),
  })),
  lastPayment: T.Union([T.Object({ id: Uuid, name: T.String(), date: T.String(), amount: Money, currency: T.String() }), T.Null()]),
});

/**
 * Payment routes (docs/payments.md): recording a payment with its allocations, reading one with
 * its allocations and refunds, one route per command, and an account's balance and aging.
 */
export function registerPaymentRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();

  app.post('/api/v1/payments', {
    schema: routeSchema({
      tags, operationId: 'recordPayment', summary: "Record a payment: allocated by hand or oldest due first to the account's open invoices; the rest is the customer's credit",
      body: T.Object({
        account: Uuid, amount: Amount, currency: T.Optional(T.String({ maxLength: 3 })), payment_date: T.Optional(Day),
        method: T.Union(PAYMENT_METHODS.map((m) => T.Literal(m))), reference: T.Optional(T.String({ maxLength: 200 })), notes: T.Optional(T.String({ maxLength: 10_000 })),
        allocations: T.Optional(Allocations), allocate: T.Optional(T.Union([T.Literal('oldest_first'), T.Literal('none')])),
      }, { additionalProperties: false }),
      response: { 201: T.Object({ payment: RecordSchema, allocations: T.Array(RecordSchema), duplicate: T.Boolean() }) },
    }),
  }, async (request, reply) => {
    await fresh();
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => recordPayment({ ctx, input: request.body as RecordPaymentInput }) });
  });

  app.get('/api/v1/payments/:id', {
    schema: routeSchema({
      tags, operationId: 'getPaymentWithAllocations', summary: 'A payment with its allocations (reversed ones too) and refunds', params: T.Object({ id: PathId }),
      response: { 200: T.Object({ payment: RecordSchema, allocations: T.Array(RecordSchema), refunds: T.Array(RecordSchema), display: T.Record(T.String(), T.Record(T.String(), T.String()), { description: 'Display names of the invoices the allocations name, by object and id' }) }) },
    }),
  }, async (request) => {
    await fresh();
    return inTransaction(ctxOf(request), async (ctx) => {
      const payment = await getRecord({ ctx, object: platform.registry.requireObject('payment'), id: (request.params as { id: string }).id });
      const of = (object: string) => listRecords({ ctx, object: platform.registry.requireObject(object), limit: MAX_PAGE_SIZE, sort: 'id', filter: { field: 'payment', op: 'eq', value: payment.id } });
      const allocations = (await of('payment_allocation')).data;
      return { payment, allocations, refunds: (await of('payment_refund')).data, display: await resolveDisplayNames(ctx, platform.registry.requireObject('payment_allocation'), allocations) };
    });
  });

  app.get('/api/v1/accounts/:id/balance', {
    schema: routeSchema({
      tags, operationId: 'getAccountBalance', summary: "An account's balance, credit, overdue amount and aging buckets per currency, optionally rolled up its account tree",
      params: T.Object({ id: PathId }),
      querystring: T.Object({ includeChildren: T.Optional(T.Boolean()), asOf: T.Optional(Day) }, { additionalProperties: false }),
      response: { 200: Balance },
    }),
  }, async (request) => {
    await fresh();
    const q = request.query as { includeChildren?: boolean; asOf?: string };
    return accountBalance({ ctx: ctxOf(request), account: (request.params as { id: string }).id, ...(q.includeChildren !== undefined ? { includeChildren: q.includeChildren } : {}), ...(q.asOf ? { asOf: q.asOf } : {}) });
  });

  const command = commandRoutes(app, platform, '/api/v1/payments', tags);
  command<{ allocations?: Array<{ invoice: string; amount: string | number }> }>('allocate', {
    operationId: 'allocatePayment', summary: "Apply a payment's credit to invoices: by hand, or oldest due first when no allocations are given",
    body: T.Object({ allocations: T.Optional(Allocations) }, { additionalProperties: false }), response: { 200: PaymentWithAllocations },
  }, (args, body) => allocatePayment({ ctx: args.ctx, id: args.id, input: body }));
  command<RefundInput>('refund', {
    operationId: 'refundPayment', summary: "Pay back (part of) a payment's unallocated credit",
    body: T.Object({ amount: Amount, reason: T.Optional(T.String({ maxLength: 10_000 })), refund_date: T.Optional(Day) }, { additionalProperties: false }),
    response: { 200: T.Object({ payment: RecordSchema, refund: RecordSchema }) },
  }, (args, body) => refundPayment({ ctx: args.ctx, id: args.id, input: body }));
  command<{ reason?: string }>('reverse', {
    operationId: 'reversePayment', summary: 'Reverse a payment (a bounced check, a charge-back): the invoices it paid are open again',
    body: T.Object({ reason: T.Optional(T.String({ maxLength: 10_000 })) }, { additionalProperties: false }), response: { 200: PaymentWithAllocations },
  }, (args, body) => reversePayment({ ctx: args.ctx, id: args.id, input: body }));
}
