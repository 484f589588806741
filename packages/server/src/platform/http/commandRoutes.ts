import type { FastifyInstance } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import type { Platform } from '../kernel.ts';
import type { RecordContext } from '../records/context.ts';
import { recordContext } from './context.ts';
import { withIdempotency } from './idempotency.ts';
import { parseIfMatch } from './routes/records.ts';
import { PathId, RecordSchema, T, routeSchema } from './schema/common.ts';

/** What a record command receives: the caller's context, the record's id, and the version they read (If-Match). */
export interface CommandArgs {
  ctx: RecordContext;
  id: string;
  expectedVersion?: number;
}

export interface CommandRouteDoc {
  operationId: string;
  summary: string;
  body?: TSchema;
  /** Default: 200 with the record. */
  response?: Record<number, TSchema>;
}

/**
 * Thin routes for a record's named commands (`POST {base}/{id}/{path}`: confirm an order, post an
 * invoice, send a quote): the declared body is validated, If-Match becomes the expected version,
 * an Idempotency-Key replays the first answer, and the route calls its one command. Returns the
 * function that registers one command under `base`.
 */
export function commandRoutes(app: FastifyInstance, platform: Platform, base: string, tags: string[]) {
  return <B = Record<string, unknown>>(path: string, doc: CommandRouteDoc, run: (args: CommandArgs, body: B) => Promise<unknown>): void => {
    app.post(`${base}/:id/${path}`, {
      schema: routeSchema({
        tags, operationId: doc.operationId, summary: doc.summary, params: T.Object({ id: PathId }),
        ...(doc.body ? { body: doc.body } : {}), response: doc.response ?? { 200: RecordSchema },
      }),
    }, async (request, reply) => {
      await platform.registry.ensureFresh();
      const expectedVersion = parseIfMatch(request);
      return withIdempotency({
        request, reply, ctx: recordContext(platform, request), status: 200,
        run: (ctx) => run({ ctx, id: (request.params as { id: string }).id, ...(expectedVersion === undefined ? {} : { expectedVersion }) }, (request.body ?? {}) as B),
      });
    });
  };
}
