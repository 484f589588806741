import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface TestSmtp {
  /** smtp://127.0.0.1:<port> */
  url: string;
  /** Every message received, in order: envelope recipients and the raw message. */
  inbox: Array<{ to: string[]; raw: string }>;
  close(): Promise<void>;
}

/** A real SMTP server on a free loopback port, so e-mail tests go through nodemailer end to end. */
export async function startTestSmtp(): Promise<TestSmtp> {
  const inbox: TestSmtp['inbox'] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    inbox,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
