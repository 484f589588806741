import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { T, routeSchema } from '../../../platform/http/schema/common.ts';
import { listQualityRecords, measureDataQuality } from './run.ts';

const tags = ['analytics'];
const Params = T.Object({ object: T.String({ maxLength: 64 }) });
const Counts = T.Object({ incomplete: T.Integer(), invalid_email: T.Integer(), invalid_phone: T.Integer(), stale: T.Integer(), duplicate: T.Integer() }, { additionalProperties: false });
const Answer = T.Object({
  object: T.String(),
  checks: T.Array(T.Object({ key: T.String(), label: T.String(), description: T.String() }, { additionalProperties: false })),
  recommended: T.Array(T.Object({ apiName: T.String(), label: T.String() }, { additionalProperties: false })),
  rows: T.Array(T.Object({ ownerId: T.Union([T.String(), T.Null()]), total: T.Boolean(), records: T.Integer(), failing: Counts, score: T.Number() }, { additionalProperties: false })),
  owners: T.Record(T.String(), T.String()),
}, { additionalProperties: false, description: 'Data quality per owner and in total, over the records and fields the caller may see' });
const Records = T.Object({
  data: T.Array(T.Object({}, { additionalProperties: true })), nextCursor: T.Union([T.String(), T.Null()]),
  display: T.Record(T.String(), T.Record(T.String(), T.String())),
}, { additionalProperties: false });

/** Data quality (docs/analytics.md#data-quality). Thin: parse, one command, answer. */
export function registerQualityRoutes(app: FastifyInstance, platform: Platform): void {
  const objectOf = async (request: FastifyRequest) => {
    await platform.registry.ensureFresh();
    return platform.registry.requireObject((request.params as { object: string }).object);
  };
  app.get('/api/v1/data-quality/:object', {
    schema: routeSchema({ tags, operationId: 'measureDataQuality', summary: "An object's data quality score per owner: completeness, invalid e-mails and phones, untouched records, duplicates", params: Params, response: { 200: Answer } }),
  }, async (request) => measureDataQuality({ ctx: recordContext(platform, request), object: await objectOf(request) }));
  app.get('/api/v1/data-quality/:object/records', {
    schema: routeSchema({
      tags, operationId: 'listDataQualityRecords', summary: 'The records behind a data quality number: failing one check, of one owner or everyone', params: Params,
      querystring: T.Object({ check: T.String({ maxLength: 32 }), owner: T.Optional(T.String({ maxLength: 64 })), cursor: T.Optional(T.String({ maxLength: 2000 })) }),
      response: { 200: Records },
    }),
  }, async (request) => {
    const q = request.query as { check: string; owner?: string; cursor?: string };
    return listQualityRecords({ ctx: recordContext(platform, request), object: await objectOf(request), check: q.check, ownerId: q.owner, cursor: q.cursor });
  });
}
