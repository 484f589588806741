import { T, Uuid } from '../../../platform/http/schema/common.ts';

const When = T.Union([T.String({ format: 'date-time' }), T.Null()]);

/** One row of `GET /api/v1/orders/:id/job-tickets` (store.ts JobTicketRow). */
export const JobTicketSchema = T.Object({
  id: Uuid,
  order_id: Uuid,
  channel: T.String({ enum: ['email', 'webhook', 'printer'] }),
  target: T.Union([T.String(), T.Null()], { description: 'The e-mail address or printer URL used (null for the webhook event)' }),
  reason: T.String({ enum: ['confirmed', 'reprint'] }),
  status: T.String({ enum: ['pending', 'sent', 'failed'] }),
  attempts: T.Integer({ description: 'Sendings tried so far' }),
  last_error: T.Union([T.String(), T.Null()], { description: 'Why the last sending failed' }),
  next_attempt_at: T.Union([T.String({ format: 'date-time' }), T.Null()], { description: 'When a failed ticket is tried again; null once sent or given up' }),
  sent_at: When,
  created_by: T.Union([Uuid, T.Null()]),
  created_at: T.String({ format: 'date-time' }),
}, { description: 'A job ticket sent, or to send, to production' });
