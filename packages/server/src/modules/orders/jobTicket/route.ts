import { asSystem, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { isBlank, readRecord } from '../../billing/index.ts';
import { orderSettings } from '../settings.ts';

export const JOB_TICKET_CHANNELS = ['email', 'webhook', 'printer'] as const;
export type JobTicketChannel = (typeof JOB_TICKET_CHANNELS)[number];

/** Where an order's job ticket goes, and why there: the order's source, or the fallback setting. */
export interface JobTicketRoute {
  channel: JobTicketChannel;
  /** The e-mail address or printer URL (null for the webhook event). */
  target: string | null;
  /** The source's name, or `MERIDIAN_JOB_TICKET_EMAIL`. */
  via: string;
}

/**
 * The production channel of an order (docs/orders.md, "Job tickets"): an order from a shop goes
 * where its source says (order → intake → source: `production_channel` none/email/webhook/
 * printer); an order without a source goes to `MERIDIAN_JOB_TICKET_EMAIL` when it is set, else
 * nowhere (null). Read as the system: the route is configuration, not the caller's business.
 * A source whose channel is e-mail or printer but has no address still answers that channel
 * (the sending fails with the reason, which the ticket row shows).
 */
export async function jobTicketRoute(ctx: RecordContext, order: ApiRecord): Promise<JobTicketRoute | null> {
  const sys = asSystem(ctx);
  const read = (object: string, id: unknown) => (isBlank(id) ? Promise.resolve(null) : readRecord(sys, object, String(id)).catch(() => null));
  const intake = await read('order_intake', order.intake);
  const source = await read('order_intake_source', intake?.source);
  if (source) {
    const channel = String(source.production_channel ?? 'none');
    const via = String(source.name ?? 'order source');
    if (channel === 'email') return { channel, target: isBlank(source.production_email) ? null : String(source.production_email), via };
    if (channel === 'printer') return { channel, target: isBlank(source.printer_url) ? null : String(source.printer_url), via };
    if (channel === 'webhook') return { channel, target: null, via };
    return null;
  }
  const fallback = orderSettings.of(ctx.platform).jobTicketEmail;
  return fallback ? { channel: 'email', target: fallback, via: 'MERIDIAN_JOB_TICKET_EMAIL' } : null;
}
