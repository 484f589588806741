import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { listRecycleBin, purgeBinEntry, restoreBinEntry } from '../../records/delete.ts';
import { recordContext } from '../context.ts';
import { PathId, T, Uuid, routeSchema } from '../schema/common.ts';

const IdParams = T.Object({ id: PathId });
const tags = ['recycle-bin'];
const BinGroupSchema = T.Object({
  id: T.String(),
  label: T.String(),
  count: T.Integer({ description: 'Records deleted in the group (what was deleted along with them: dependents)' }),
}, { description: 'Deletes made as one action (an import undone): one entry, restored or purged as a whole' });
const BinItemSchema = T.Object({
  id: Uuid,
  object: T.String(),
  recordId: Uuid,
  name: T.Union([T.String(), T.Null()]),
  deletedAt: T.String({ format: 'date-time' }),
  deletedBy: T.Union([Uuid, T.Null()]),
  dependents: T.Integer({ description: 'Records deleted with it (restored or purged together)' }),
  group: T.Optional(BinGroupSchema),
});
const Refusal = T.Object({ object: T.String(), id: T.String(), name: T.Union([T.String(), T.Null()]), message: T.String() });

export function registerRecycleBinRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/api/v1/recycle-bin', {
    schema: routeSchema({
      tags,
      operationId: 'listRecycleBin',
      summary: 'Your deleted records (admins: everyone\'s), newest first, one entry per deleted group',
      querystring: T.Object({ object: T.Optional(T.String({ maxLength: 63 })), limit: T.Optional(T.String({ maxLength: 4 })), cursor: T.Optional(T.String({ maxLength: 500 })) }),
      response: { 200: T.Object({ data: T.Array(BinItemSchema), nextCursor: T.Union([T.String(), T.Null()]) }) },
    }),
  }, async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const limit = q.limit ? Number(q.limit) : 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badRequest('limit must be between 1 and 200', [{ field: 'limit', code: 'out_of_range', message: 'Between 1 and 200' }]);
    let after: { deletedAt: string; id: string } | undefined;
    if (q.cursor) {
      try {
        after = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8'));
        if (typeof after?.deletedAt !== 'string' || typeof after.id !== 'string' || Number.isNaN(Date.parse(after.deletedAt)) || !/^[0-9a-f-]{36}$/.test(after.id)) throw new Error('bad');
      } catch {
        throw badRequest('Invalid cursor', [{ field: 'cursor', code: 'invalid_cursor', message: 'Use nextCursor unchanged' }]);
      }
    }
    const items = await listRecycleBin({ ctx: recordContext(platform, request), object: q.object, limit: limit + 1, after, grouped: true });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page,
      nextCursor: items.length > limit && last ? Buffer.from(JSON.stringify({ deletedAt: last.deletedAt, id: last.id })).toString('base64url') : null,
    };
  });

  app.post('/api/v1/recycle-bin/:id/restore', {
    schema: routeSchema({
      tags,
      operationId: 'restoreRecycleBinEntry',
      summary: 'Restore a deleted record with what was deleted along with it; a group entry restores every record of the group (refused ones are listed and stay in the bin)',
      params: IdParams,
      response: { 200: T.Object({ object: T.String(), id: T.String({ description: 'The record, or for a group the group id' }), restored: T.Integer(), refused: T.Optional(T.Array(Refusal)) }) },
    }),
  }, async (request) => {
    const { id } = request.params as { id: string };
    return restoreBinEntry({ ctx: recordContext(platform, request), entryId: id });
  });

  app.delete('/api/v1/recycle-bin/:id', {
    schema: routeSchema({ tags, operationId: 'purgeRecycleBinEntry', summary: 'Purge a deleted record group for good (a group entry: every record of the group)', params: IdParams, response: { 200: T.Object({ purged: T.Integer() }) } }),
  }, async (request) => {
    const { id } = request.params as { id: string };
    return purgeBinEntry({ ctx: recordContext(platform, request), entryId: id });
  });
}
