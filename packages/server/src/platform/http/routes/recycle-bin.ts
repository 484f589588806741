import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { listRecycleBin, purgeRecord, restoreRecord } from '../../records/delete.ts';
import { recordContext } from '../context.ts';

export function registerRecycleBinRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/api/v1/recycle-bin', async (request) => {
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
    const items = await listRecycleBin({ ctx: recordContext(platform, request), object: q.object, limit: limit + 1, after });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page,
      nextCursor: items.length > limit && last ? Buffer.from(JSON.stringify({ deletedAt: last.deletedAt, id: last.id })).toString('base64url') : null,
    };
  });

  app.post('/api/v1/recycle-bin/:id/restore', async (request) => {
    const { id } = request.params as { id: string };
    return restoreRecord({ ctx: recordContext(platform, request), entryId: id });
  });

  app.delete('/api/v1/recycle-bin/:id', async (request) => {
    const { id } = request.params as { id: string };
    return purgeRecord({ ctx: recordContext(platform, request), entryId: id });
  });
}
