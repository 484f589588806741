import type { RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { annotateInvoice } from '../../invoicing/index.ts';

export interface DisputeInput {
  disputed: boolean;
  reason?: string | null;
}

/**
 * Marks an invoice disputed (no payment reminders while it is) or settles the dispute — on a
 * posted invoice too, through invoicing's annotateInvoice (which refuses invoicing's own fields,
 * so the invoice itself stays frozen). Needs edit access to the invoice.
 */
export function setInvoiceDispute(args: { ctx: RecordContext; id: string; input: DisputeInput; expectedVersion?: number }): Promise<ApiRecord> {
  const reason = args.input.disputed ? (args.input.reason?.trim() || null) : null;
  return annotateInvoice({ ctx: args.ctx, id: args.id, values: { disputed: args.input.disputed, dispute_reason: reason }, ...(args.expectedVersion !== undefined ? { expectedVersion: args.expectedVersion } : {}) });
}
