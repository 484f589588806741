import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord, type WriteOptions } from '../../../platform/records/write.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { prefixErrors, readDocumentLines, writeDocumentLines } from '../../billing/index.ts';
import { ORDER } from '../kind.ts';

export interface CreateOrderInput {
  /** Header fields (account, contact, po_number, requested_date, ship_to, currency, discount…). */
  order: Record<string, unknown>;
  /** Lines (product, quantity, unit_price, discount, specs…), priced from the account's book when no price is given. */
  lines?: Array<Record<string, unknown>>;
}

export interface OrderWithLines {
  order: ApiRecord;
  lines: ApiRecord[];
}

/** Creates an order with its lines in one transaction; any refused line (`lines[2].quantity`) leaves nothing behind. */
export function createOrder(args: { ctx: RecordContext; input: CreateOrderInput }): Promise<OrderWithLines> {
  return inTransaction(args.ctx, (ctx) => writeOrder({ ctx, header: args.input.order, lines: (args.input.lines ?? []).map((input) => ({ input })) }));
}

/**
 * The order and its lines through the record pipeline, in the caller's transaction: what the web
 * app, the API, an accepted quote and a shop's intake all come through. `systemValues` carry what a
 * command decides (source, status, copied prices).
 */
export async function writeOrder(args: WriteOrderArgs): Promise<OrderWithLines> {
  return readOrderWithLines(args.ctx, (await writeOrderRecords(args)).id);
}

type WriteOrderArgs = {
  ctx: TxContext; header: Record<string, unknown>; systemValues?: Record<string, unknown>;
  lines: Array<{ input: Record<string, unknown>; systemValues?: Record<string, unknown> }>;
};

/** writeOrder without reading the order back (a shop's intake answers from what it wrote): answers the order as inserted, before its lines were totalled. */
export async function writeOrderRecords(args: WriteOrderArgs): Promise<ApiRecord> {
  const { ctx } = args;
  const object = ctx.platform.registry.requireObject('order');
  const options: WriteOptions = { pathPrefix: 'order.', ...(args.systemValues ? { systemValues: args.systemValues } : {}) };
  const created = await createRecord({ ctx, object, input: args.header, options }).catch((error: unknown) => {
    throw prefixErrors(error, 'order.');
  });
  await writeDocumentLines({ ctx, kind: ORDER, header: created, lines: args.lines });
  return created;
}

/** An order and its lines in order, through the record service (the reader's access applies). */
export async function readOrderWithLines(ctx: RecordContext, id: string): Promise<OrderWithLines> {
  return inTransaction(ctx, async (tx) => {
    const order = await getRecord({ ctx: tx, object: tx.platform.registry.requireObject('order'), id });
    return { order, lines: await readDocumentLines(tx, ORDER, order.id) };
  });
}
