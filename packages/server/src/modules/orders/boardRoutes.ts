import type { FastifyInstance } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { sql, type RawBuilder } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { RecordSchema, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';
import { assertObjectPermission, readableFields, visibilityCondition } from '../../platform/access/policy.ts';
import { countRecords, listRecords, resolveDisplayNames } from '../../platform/records/read.ts';
import type { RecordContext } from '../../platform/records/context.ts';
import { ORDER_STATUSES } from './objects.ts';

/** What a card shows (those the caller may read). */
const CARD_FIELDS = ['name', 'number', 'status', 'account', 'po_number', 'requested_date', 'total', 'currency', 'on_hold', 'updated_at'];
const Nullable = <S extends TSchema>(schema: S) => T.Union([schema, T.Null()]);

const Column = T.Object({
  status: T.String(),
  count: T.Integer({ description: 'All orders of the column you can see (exact: false: an estimate)' }),
  exact: T.Boolean(),
  data: T.Array(RecordSchema),
  nextCursor: Nullable(T.String()),
});

/** Orders with a (visible) line of the team: the production board's team filter. */
function ofTeam(ctx: RecordContext, team: string): RawBuilder<boolean> {
  const line = ctx.platform.registry.requireObject('order_line');
  const visible = visibilityCondition(ctx.actor, line, 'l');
  return sql<boolean>`EXISTS (SELECT 1 FROM ${sql.table(line.table)} AS l WHERE l.order_id = t0.id AND l.team_id = ${team}::uuid AND l.deleted_at IS NULL${visible ? sql` AND ${visible}` : sql``})`;
}

/**
 * The production board (read only): per status, the count and the first cards of the orders the
 * caller can see, optionally only those with a line of a production team. With `status` (and
 * `cursor`), one column's next page. Reads go through listRecords/countRecords, so access holds.
 */
export function registerOrderBoardRoutes(app: FastifyInstance, platform: Platform): void {
  app.get('/api/v1/orders/board', {
    schema: routeSchema({
      tags: ['orders'], operationId: 'getOrderBoard',
      summary: 'The production board: per status, how many orders and the first of them (newest change first), optionally of one production team',
      querystring: T.Object({
        team: T.Optional(Uuid),
        status: T.Optional(T.String({ enum: [...ORDER_STATUSES] })),
        cursor: T.Optional(T.String({ maxLength: 2000 })),
        limit: T.Optional(T.Integer({ minimum: 1, maximum: 100 })),
      }),
      response: { 200: T.Object({ columns: T.Array(Column), display: T.Record(T.String(), T.Record(T.String(), T.String())) }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const ctx = recordContext(platform, request);
    const q = request.query as { team?: string; status?: string; cursor?: string; limit?: number };
    const object = platform.registry.requireObject('order');
    assertObjectPermission(ctx.actor, object, 'read');
    const readable = new Set(readableFields(ctx.actor, object).map((f) => f.apiName));
    const fields = CARD_FIELDS.filter((f) => readable.has(f));
    const where = q.team ? ofTeam(ctx, q.team) : undefined;
    const statuses = q.status ? [q.status] : [...ORDER_STATUSES];
    const columns = [];
    for (const status of statuses) {
      const filter = { field: 'status', op: 'eq', value: status };
      const page = await listRecords({ ctx, object, filter, fields, sort: '-updated_at', limit: q.limit ?? 25, ...(q.cursor && q.status ? { cursor: q.cursor } : {}), ...(where ? { where } : {}) });
      const count = await countRecords({ ctx, object, filter, ...(where ? { where } : {}) });
      columns.push({ status, ...count, data: page.data, nextCursor: page.nextCursor });
    }
    const display = await resolveDisplayNames(ctx, object, columns.flatMap((c) => c.data));
    return { columns, display };
  });
}
