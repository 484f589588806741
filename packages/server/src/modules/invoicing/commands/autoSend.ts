import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { readRecord } from '../../billing/index.ts';
import { recordSendError, sendInvoice } from './send.ts';

/**
 * Automatic sending (per account, `invoice_auto_send`): once the posting has committed, the
 * invoice is e-mailed as the user who posted it. A failure never touches the posting: it is
 * logged and written to the invoice's `send_error`, where the invoice page shows it, and the
 * invoice can be sent by hand.
 */
export async function queueAutoSend(ctx: TxContext, invoice: ApiRecord): Promise<void> {
  const account = await readRecord(asSystem(ctx), 'account', String(invoice.account), ['invoice_auto_send']);
  if (account.invoice_auto_send !== true) return;
  const after = { platform: ctx.platform, actor: ctx.actor };
  ctx.uow.afterCommit(async () => {
    try {
      await sendInvoice({ ctx: after, id: invoice.id });
    } catch (error) {
      ctx.platform.logger.warn({ err: error, invoice: invoice.id }, 'automatic invoice e-mail failed');
      await recordSendError(after, invoice.id, error);
    }
  });
}
