import { AppError } from '../../platform/errors.ts';
import type { InvoiceStatus } from './objects.ts';

/**
 * What each command may do in each status (docs/invoicing.md, "Lifecycle"):
 *
 *   draft ─post─▶ posted ─credit (in full) / void─▶ void
 *                   ╰─ settle ─▶ partially_paid ─settle─▶ paid (payments; a reversal goes back)
 *
 * Refusals are 409 `conflict` whose `errors[0].code` says why.
 */
export type InvoiceCommand = 'edit' | 'post' | 'send' | 'credit' | 'void' | 'delete' | 'settle';

const FROM: Record<InvoiceCommand, readonly InvoiceStatus[]> = {
  edit: ['draft'],
  delete: ['draft'],
  post: ['draft'],
  send: ['posted', 'partially_paid', 'paid', 'void'],
  credit: ['posted', 'partially_paid'],
  void: ['posted'],
  // Payments applied to (or taken back from) an invoice: commands/settle.ts.
  settle: ['posted', 'partially_paid', 'paid'],
};

const WHY: Record<InvoiceStatus, { code: string; message: string }> = {
  draft: { code: 'invoice_not_posted', message: 'This invoice is a draft; post it first' },
  posted: { code: 'invoice_posted', message: 'This invoice is posted and cannot change; correct it with a credit note' },
  partially_paid: { code: 'invoice_paid', message: 'This invoice has payments' },
  paid: { code: 'invoice_paid', message: 'This invoice is paid' },
  void: { code: 'invoice_void', message: 'This invoice is void' },
};

export function canRun(command: InvoiceCommand, status: InvoiceStatus): boolean {
  return FROM[command].includes(status);
}

export function assertCanRun(command: InvoiceCommand, status: InvoiceStatus): void {
  if (canRun(command, status)) return;
  // Any change after posting is the same refusal, whatever the status: the document is final.
  const why = command === 'edit' || command === 'delete' || command === 'post' ? (status === 'draft' ? WHY.draft : WHY.posted) : WHY[status];
  throw new AppError('conflict', why.message, { errors: [{ field: 'status', code: why.code, message: why.message }], extra: { status, command } });
}
