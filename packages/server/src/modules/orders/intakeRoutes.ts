import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, T, routeSchema } from '../../platform/http/schema/common.ts';
import { receiveOrder } from './commands/receiveOrders.ts';
import { rotateIntakeSecret } from './commands/intakeSecret.ts';
import { testIntakeSample } from './commands/testIntake.ts';
import { SIGNATURE_HEADER } from './intake/index.ts';

/** The hard cap on an intake body; a source's own limit (max_body_kb, 1 MB by default) is checked below it, with a clear problem. */
const HARD_LIMIT_BYTES = 8 * 1024 * 1024;

const Reason = T.Object({ field: T.String(), code: T.String(), message: T.String() });
const IntakeAnswer = T.Object({
  intake: T.String({ format: 'uuid', description: 'The received payload in the log (order_intake)' }),
  result: T.String({ enum: ['accepted', 'held', 'rejected'] }),
  order: T.Union([T.String({ format: 'uuid' }), T.Null()]),
  orderNumber: T.Union([T.String(), T.Null()]),
  orderStatus: T.Union([T.String(), T.Null()]),
  replayed: T.Boolean({ description: 'The same shop order id and bytes were received before: this is the first answer again' }),
  reasons: T.Array(Reason),
});

/**
 * Order intake over HTTP (docs/intake-formats.md). The shop's route is public — the source's
 * signature is its authentication — and reads the body as raw bytes (any content type), because
 * the signature covers the bytes and XML is parsed only by the hardened reader (intake/xml.ts).
 */
export function registerIntakeRoutes(app: FastifyInstance, platform: Platform): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: HARD_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    scope.post('/api/v1/order-intake/:key', {
      bodyLimit: HARD_LIMIT_BYTES,
      config: { public: true },
      schema: routeSchema({
        tags: ['orders'], operationId: 'receiveShopOrder', security: [],
        summary: "Receive an order from a shop (cXML, UBL or the source's own JSON/XML), signed with the source's secret",
        description: `Sign the raw body: \`${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">\`. 202: stored (accepted and confirmed, or held with reasons); 422: rejected with every reason; 409: the shop order id was received before with other content; 401: missing or wrong signature (nothing stored).`,
        params: T.Object({ key: T.String({ maxLength: 64, pattern: '^[a-z0-9-]+$' }) }),
        response: { 202: IntakeAnswer, 422: IntakeAnswer },
      }),
    }, async (request, reply) => {
      await platform.registry.ensureFresh();
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await receiveOrder({
        platform, key: (request.params as { key: string }).key, body,
        ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
        ...(request.headers[SIGNATURE_HEADER] ? { signature: request.headers[SIGNATURE_HEADER] } : {}),
      });
      return reply.status(answer.status).send(answer.body);
    });
  });

  app.post('/api/v1/order-intake-sources/:id/secret', {
    schema: routeSchema({
      tags: ['orders'], operationId: 'rotateOrderSourceSecret',
      summary: "Make a new signing secret for an order source (shown once; the previous one works 24 more hours)",
      params: T.Object({ id: PathId }),
      response: { 200: T.Object({ secret: T.String(), hint: T.String(), previousValidUntil: T.Union([T.String(), T.Null()]) }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return rotateIntakeSecret({ ctx: recordContext(platform, request), id: (request.params as { id: string }).id });
  });

  app.post('/api/v1/order-intake-sources/:id/test', {
    schema: routeSchema({
      tags: ['orders'], operationId: 'testOrderSourceSample',
      summary: "Read a sample payload with the source's format and mapping, without storing anything: the order it would make, or the problems",
      params: T.Object({ id: PathId }),
      body: T.Object({
        sample: T.String({ maxLength: 1_048_576 }),
        mapping: T.Optional(T.String({ maxLength: 100_000, description: 'A mapping to try instead of the saved one (JSON)' })),
        contentType: T.Optional(T.String({ maxLength: 200 })),
      }, { additionalProperties: false }),
      response: { 200: T.Object({ order: T.Union([T.Record(T.String(), T.Unknown()), T.Null()]), problems: T.Array(Reason), matches: T.Record(T.String(), T.Unknown()) }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const body = request.body as { sample: string; mapping?: string; contentType?: string };
    return testIntakeSample({ ctx: recordContext(platform, request), id: (request.params as { id: string }).id, ...body });
  });
}
