import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../kernel.ts';
import { searchRecords } from '../../search/search.ts';
import { recordContext } from '../context.ts';
import { T, Uuid, routeSchema } from '../schema/common.ts';

const SearchAnswer = T.Object({
  query: T.String(),
  groups: T.Array(T.Object({
    object: T.String(),
    label: T.String(),
    records: T.Array(T.Object({ id: Uuid, name: T.String(), snippet: T.Union([T.String(), T.Null()]), score: T.Number() })),
  })),
});

export function registerSearchRoutes(app: FastifyInstance, platform: Platform) {
  /** GET /api/v1/search?q=northwind&objects=account,contact&limit=5 → results grouped by object. */
  app.get('/api/v1/search', {
    schema: routeSchema({
      tags: ['search'],
      operationId: 'search',
      summary: 'Search every object you may read (typo tolerant), grouped by object',
      querystring: T.Object({
        q: T.String({ minLength: 1, maxLength: 200, description: 'What to look for' }),
        objects: T.Optional(T.String({ maxLength: 1000, description: 'Comma-separated objects to search (default: all you may read)' })),
        limit: T.Optional(T.Integer({ minimum: 1, maximum: 50, description: 'Results per object (default 5)' })),
      }),
      response: { 200: SearchAnswer },
    }),
  }, async (request) => {
    const q = request.query as { q: string; objects?: string; limit?: number };
    await platform.registry.ensureFresh();
    const groups = await searchRecords({
      ctx: recordContext(platform, request),
      query: q.q,
      perObject: q.limit ?? 5,
      objects: q.objects ? q.objects.split(',').map((s) => s.trim()) : undefined,
    });
    return { query: q.q, groups };
  });
}
