import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { assertVersion, loadForUpdate, updateRecord } from '../../../platform/records/write.ts';
import { asDocumentCommand } from './scope.ts';

/**
 * One named command on a priced document (a quote, an order, an invoice) in one transaction: the
 * header is locked and loaded with the caller's access (404 for one they cannot see, forged ids
 * included), the version the caller read is checked (If-Match: 409 version_conflict), the
 * document's own status rule decides whether the command may run (its typed 409), then `run`
 * writes through the record pipeline as a document command (scope.ts), which the locked
 * document's rules let through.
 */
export function runDocumentCommand<T>(args: {
  ctx: RecordContext; object: string; id: string; expectedVersion?: number; mode?: 'read' | 'edit';
  assertStatus: (status: string) => void; run: (ctx: TxContext, record: ApiRecord) => Promise<T>;
}): Promise<T> {
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.requireObject(args.object);
    const record = await loadForUpdate(ctx, object, args.id, { mode: args.mode ?? 'edit' });
    assertVersion(object, record, args.expectedVersion);
    args.assertStatus(String(record.status));
    return asDocumentCommand(ctx, record.id, () => args.run(ctx, record));
  });
}

/** A command's change of a document's read-only fields (status, number, stamps), through the record pipeline (history, record events). */
export function setDocumentValues(ctx: TxContext, object: string, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return asDocumentCommand(ctx, id, () => updateRecord({ ctx, object: ctx.platform.registry.requireObject(object), id, input: {}, options: { systemValues: values } }));
}
