import type { FastifyInstance } from 'fastify';
import type { Platform } from '../kernel.ts';
import { recordContext } from '../http/context.ts';
import { T, routeSchema } from '../http/schema/common.ts';
import { currentChangesCursor, listChanges, MAX_CHANGES_PAGE } from './changes.ts';
import { badRequest } from '../errors.ts';

const tags = ['changes'];
const Change = T.Object({
  id: T.String({ format: 'uuid' }),
  operation: T.Union([T.Literal('created'), T.Literal('updated'), T.Literal('deleted'), T.Literal('restored')]),
  object: T.String(),
  recordId: T.String({ format: 'uuid' }),
  occurredAt: T.String({ format: 'date-time' }),
  actor: T.Object({ userId: T.Union([T.String(), T.Null()]), via: T.String() }),
  changes: T.Record(T.String(), T.Object({ old: T.Unknown(), new: T.Unknown() })),
});

/** GET /api/v1/changes (the feed) and GET /api/v1/changes/cursor (its current end) — see changes.ts and docs/api.md. */
export function registerChangesRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/api/v1/changes', {
    schema: routeSchema({
      tags, operationId: 'listChanges', summary: 'Creates, updates, deletes and restores since a cursor, in order, under your access (410 when the cursor is older than the feed keeps)',
      querystring: T.Object({
        since: T.Optional(T.String({ maxLength: 2000, description: 'nextCursor of the previous page, or of GET /changes/cursor; omitted: the oldest change kept' })),
        objects: T.Optional(T.String({ maxLength: 5000, description: 'Comma-separated object API names (default: every object you may read)' })),
        limit: T.Optional(T.String({ maxLength: 5, description: `1..${MAX_CHANGES_PAGE} (100)` })),
      }),
      response: { 200: T.Object({ data: T.Array(Change), nextCursor: T.String(), hasMore: T.Boolean() }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const q = request.query as { since?: string; objects?: string; limit?: string };
    const limit = q.limit === undefined || q.limit === '' ? undefined : /^\d{1,5}$/.test(q.limit) ? Number(q.limit) : NaN;
    if (Number.isNaN(limit)) throw badRequest('limit must be an integer', [{ field: 'limit', code: 'type', message: `An integer between 1 and ${MAX_CHANGES_PAGE}` }]);
    const objects = q.objects?.split(',').map((s) => s.trim()).filter(Boolean);
    return listChanges({ ctx: recordContext(platform, request), since: q.since || undefined, objects, limit });
  });
  app.get('/api/v1/changes/cursor', {
    schema: routeSchema({ tags, operationId: 'getChangesCursor', summary: 'A cursor at the end of the feed: take it before a full load, then follow the feed from it', response: { 200: T.Object({ cursor: T.String() }) } }),
  }, async (request) => currentChangesCursor({ ctx: recordContext(platform, request) }));
}
