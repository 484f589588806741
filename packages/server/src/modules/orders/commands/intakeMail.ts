import type { Platform } from '../../../platform/kernel.ts';
import { sendMail } from '../../../platform/mail.ts';

/**
 * Tells an order source's staff address why an order was held or refused (seed 001: "e-mails are
 * automatically sent to warn customer service staff"), with every reason and the payload attached
 * as it was sent. After commit: a failed e-mail is logged and never undoes the intake.
 */
export async function notifyIntakeStaff(args: {
  platform: Platform; to: string | null; source: string; result: 'held' | 'rejected'; externalId: string | undefined;
  reasons: Array<{ field?: string; message: string }>; payload: string; contentType: string | undefined;
}): Promise<void> {
  if (!args.to) return;
  const what = args.externalId ? `order ${args.externalId}` : 'an order';
  const subject = args.result === 'held' ? `Held: ${what} from ${args.source}` : `Refused: ${what} from ${args.source}`;
  const lines = args.reasons.map((r) => `- ${r.field ? `${r.field}: ` : ''}${r.message}`);
  const text = [
    args.result === 'held'
      ? `${args.source} sent ${what}. It is stored but held until someone checks it:`
      : `${args.source} sent ${what}, which could not be read as an order and was not stored:`,
    '', ...lines, '', 'The payload as received is attached.',
  ].join('\n');
  const xml = /xml/i.test(args.contentType ?? '') || args.payload.trimStart().startsWith('<');
  try {
    await sendMail(args.platform, {
      to: args.to, subject, text,
      attachments: [{ filename: `${(args.externalId ?? 'payload').replace(/[^\w.-]+/g, '_').slice(0, 80)}.${xml ? 'xml' : 'json'}`, content: args.payload, contentType: xml ? 'application/xml' : 'application/json' }],
    });
  } catch (error) {
    args.platform.logger.error({ err: error, source: args.source }, 'the order intake e-mail to staff failed');
  }
}
