import { badRequest } from '../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../platform/records/context.ts';
import { updateRecord } from '../../platform/records/write.ts';
import { getRecord } from '../../platform/records/read.ts';

/** The lists the Lead assignment page orders: the first rule or territory that matches a lead wins. */
export const ORDERED_OBJECTS = ['assignment_rule', 'territory'] as const;
export type OrderedObject = (typeof ORDERED_OBJECTS)[number];

/**
 * Puts a list in the order given, in one transaction through the record pipeline: each record's
 * `sort_order` becomes 10, 20, 30… by its place (records already there are not written). Either
 * the whole new order is saved or none of it — a record that is gone, hidden or named twice
 * refuses the request and leaves the old order, where saving one record after another could leave
 * half of it.
 */
export async function reorderAssignment(args: { ctx: RecordContext; object: OrderedObject; ids: string[] }): Promise<{ data: Array<{ id: string; sort_order: number }> }> {
  const { ctx, ids } = args;
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) throw badRequest('Each record once', [{ field: `ids[${i}]`, code: 'duplicate', message: 'This record is named twice' }]);
    seen.add(id);
  });
  const object = ctx.platform.registry.requireObject(args.object);
  return inTransaction(ctx, async (tx) => {
    const data: Array<{ id: string; sort_order: number }> = [];
    for (const [i, id] of ids.entries()) {
      const order = (i + 1) * 10;
      const current = await getRecord({ ctx: tx, object, id, fields: ['sort_order'] });
      if (Number(current.sort_order) !== order) await updateRecord({ ctx: tx, object, id, input: { sort_order: order } });
      data.push({ id, sort_order: order });
    }
    return { data };
  });
}
