import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadEventSettings, type EventSettings } from '../../src/platform/events/config.ts';

/** One request as the receiver saw it. */
export interface Received {
  n: number;
  id: string;
  timestamp: string;
  signature: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
  /** The status the receiver decided to answer (also when the sender was gone by then). */
  status?: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

/**
 * A real HTTP receiver on 127.0.0.1:0. `respond` decides each answer (default 200); every request
 * is recorded, including those answered with an error.
 */
export async function startReceiver(respond: (r: Received) => Reply | Promise<Reply> = () => ({ status: 200 })) {
  const received: Received[] = [];
  const state = { respond };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r: Received = {
        n: received.length + 1,
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        headers: req.headers,
        body,
        json,
        at: Date.now(),
      };
      received.push(r);
      let reply: Reply;
      try {
        reply = await state.respond(r);
      } catch {
        reply = { status: 500 };
      }
      r.status = reply.status;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.status >= 400 ? 'receiver says no' : 'ok');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    setRespond(fn: (r: Received) => Reply | Promise<Reply>) {
      state.respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Standard Webhooks verification written from the spec, independent of the product's code:
 * HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}" keyed with the base64-decoded part of
 * the secret after "whsec_", compared against each "v1,<base64>" in the header.
 */
export function verifyStandardWebhook(secret: string, r: { id: string; timestamp: string; signature: string; body: string }, toleranceSeconds = 300): boolean {
  const key = Buffer.from(secret.split('_')[1]!, 'base64');
  const expected = createHmac('sha256', key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
  if (Math.abs(Date.now() / 1000 - Number(r.timestamp)) > toleranceSeconds) return false;
  return r.signature.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000, everyMs = 20): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fast settings for tests: 20 ms polls and a short retry schedule. */
export function fastSettings(overrides: Record<string, string> = {}): EventSettings {
  return loadEventSettings({
    MERIDIAN_EVENTS_POLL_MS: '20',
    MERIDIAN_WEBHOOK_RETRY_SCHEDULE: '50ms,100ms,150ms',
    // Generous: on a loaded machine a receiver in the test process can answer late.
    MERIDIAN_WEBHOOK_TIMEOUT_MS: '10000',
    ...overrides,
  });
}
