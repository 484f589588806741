import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import type { Platform } from './kernel.ts';

/** Whether outgoing e-mail is set up (MERIDIAN_SMTP_URL). */
export function canSendMail(platform: Platform): boolean {
  return Boolean(platform.config.smtpUrl);
}

/**
 * Sends one message through the installation's SMTP server, from MERIDIAN_SMTP_FROM unless the
 * message says otherwise. Answers the message id, or null when no SMTP server is set up. Errors
 * propagate: callers decide whether a failed e-mail fails their action.
 */
export async function sendMail(platform: Platform, message: SendMailOptions): Promise<{ messageId: string } | null> {
  if (!platform.config.smtpUrl) return null;
  const transport = nodemailer.createTransport(platform.config.smtpUrl);
  try {
    const info = await transport.sendMail({ from: platform.config.smtpFrom, ...message });
    return { messageId: String(info.messageId) };
  } finally {
    transport.close();
  }
}
