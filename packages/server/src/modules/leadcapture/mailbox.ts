import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { Platform } from '../../platform/kernel.ts';
import { inTransaction, systemActor } from '../../platform/records/context.ts';
import { captureLead } from './submit.ts';
import { leadCaptureSettings } from './settings.ts';

const MAX_BYTES = 1024 * 1024;

export interface LeadMailbox {
  port: number;
  close(): Promise<void>;
}

/** A sender's display name as the lead's name: the last word is the last name; without a name, the address's local part. */
export function namesOf(name: string | undefined, address: string): { first_name?: string; last_name: string } {
  const words = (name ?? '').replace(/["<>]/g, '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return { last_name: address.split('@')[0]!.slice(0, 200) || address };
  const last = words.pop()!;
  return { ...(words.length ? { first_name: words.join(' ').slice(0, 200) } : {}), last_name: last.slice(0, 200) };
}

/**
 * Leads by e-mail (issue 14 item 8): an inbound SMTP listener for the capture address only
 * (MERIDIAN_LEAD_CAPTURE_ADDRESS; other recipients are refused with 550). Each message becomes a
 * lead — the sender's name and address, the subject and text as its description, source e-mail —
 * or is attached to the lead or contact that has the address, like a form submission. The
 * message is acknowledged only after the transaction committed; a failure answers 451 so the
 * sending server tries again. Off unless MERIDIAN_LEAD_SMTP_PORT is set.
 */
export async function startLeadMailbox(platform: Platform, options: { port?: number } = {}): Promise<LeadMailbox> {
  const settings = leadCaptureSettings.of(platform);
  const capture = settings.captureAddress.toLowerCase();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: MAX_BYTES,
    onRcptTo(address, _session, callback) {
      if (address.address.toLowerCase() !== capture) return callback(Object.assign(new Error('No such mailbox here'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream, { skipHtmlToText: false })
        .then(async (mail) => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) throw Object.assign(new Error('Message too large'), { responseCode: 552 });
          const from = mail.from?.value[0];
          const address = (from?.address ?? (session.envelope.mailFrom || undefined)?.address ?? '').toLowerCase();
          if (!address) throw Object.assign(new Error('A sender address is needed'), { responseCode: 550 });
          const description = [mail.subject, (mail.text ?? '').trim()].filter(Boolean).join('\n\n').slice(0, 10_000);
          await inTransaction({ platform, actor: systemActor('api') }, (ctx) =>
            captureLead(ctx, { values: { ...namesOf(from?.name, address), email: address, source: 'email', ...(description ? { description } : {}) }, channel: 'email', label: 'E-mail' }));
          callback();
        })
        .catch((error: Error & { responseCode?: number }) => {
          platform.logger.warn({ err: error }, 'an e-mail to the lead capture address was not taken');
          callback(Object.assign(new Error(error.responseCode ? error.message : 'Could not take the message now; try again later'), { responseCode: error.responseCode ?? 451 }));
        });
    },
  });
  server.on('error', (error) => platform.logger.error({ err: error }, 'lead capture mailbox error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? settings.smtpPort, settings.smtpHost, () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
