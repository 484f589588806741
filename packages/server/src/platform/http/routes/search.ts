import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../kernel.ts';
import { searchRecords } from '../../search/search.ts';
import { recordContext } from '../context.ts';

export function registerSearchRoutes(app: FastifyInstance, platform: Platform) {
  /** GET /api/v1/search?q=northwind&objects=account,contact&limit=5 → results grouped by object. */
  app.get('/api/v1/search', async (request) => {
    const q = request.query as Record<string, string | undefined>;
    await platform.registry.ensureFresh();
    const groups = await searchRecords({
      ctx: recordContext(platform, request),
      query: q.q,
      perObject: q.limit ? Number(q.limit) || 5 : 5,
      objects: q.objects ? q.objects.split(',').map((s) => s.trim()) : undefined,
    });
    return { query: q.q, groups };
  });
}
