import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { getTestServer, type TestServer } from '../server.ts';
import { buildRecord } from '../factories.ts';
import { sendDueReminders } from '../../src/modules/activities/commands/sendReminders.ts';
import { NotificationHub } from '../../src/platform/notifications/hub.ts';
import { sql } from 'kysely';
import { uuidv7 } from '../../src/platform/ids.ts';
import type { ServerResponse } from 'node:http';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await getTestServer();
  // A real socket: the stream is read the way a browser's EventSource reads it.
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => server?.close());

interface Stream {
  status: number;
  contentType: string | null;
  events: Array<{ event: string; data: any }>;
  close(): void;
}

async function openStream(token?: string): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/me/notifications/stream`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
  const events: Stream['events'] = [];
  if (res.ok) {
    void (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  } else await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), events, close: () => abort.abort() };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for the stream');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('notification stream (server-sent events)', () => {
  it('refuses a client that is not signed in', async () => {
    const s = await openStream();
    expect(s.status).toBe(401);
  });

  it('sends the unread count, then each new notification of the user only, then the count after a read', async () => {
    const rep = await server.createUser();
    const other = await server.createUser();
    const mine = await openStream(rep.token);
    const theirs = await openStream(other.token);
    expect(mine.status).toBe(200);
    expect(mine.contentType).toMatch(/^text\/event-stream/);
    await until(() => mine.events.length > 0 && theirs.events.length > 0);
    expect(mine.events[0]).toEqual({ event: 'unread', data: { count: 0 } });

    const meeting = await buildRecord(rep, 'meeting', { subject: 'Live reminder', start_at: new Date(Date.now() + 10 * 60_000).toISOString(), reminder_minutes: 15 });
    expect((await sendDueReminders(server.platform, { settings: { escalationHours: 24 } })).created).toBe(1);
    await until(() => mine.events.some((e) => e.event === 'notification'));
    const pushed = mine.events.find((e) => e.event === 'notification')!.data;
    expect(pushed).toMatchObject({ kind: 'reminder', object: 'meeting', recordId: meeting.id, title: 'Reminder: Live reminder', readAt: null });
    await until(() => mine.events.some((e) => e.event === 'unread' && e.data.count === 1));

    // One more poll later the other user has still received nothing but their count.
    await new Promise((r) => setTimeout(r, 2500));
    expect(theirs.events).toEqual([{ event: 'unread', data: { count: 0 } }]);
    expect(mine.events.filter((e) => e.event === 'notification')).toHaveLength(1);

    expect((await rep.request('POST', `/api/v1/me/notifications/${pushed.id}/read`)).status).toBe(204);
    await until(() => mine.events.at(-1)?.event === 'unread' && mine.events.at(-1)?.data.count === 0);
    expect(server.app.notificationHub.connections).toBe(2);
    mine.close();
    theirs.close();
    // Disconnected clients are forgotten, and with none left the poller stops.
    await until(() => server.app.notificationHub.connections === 0);
  });

  it('delivers a burst larger than one poll page, each notification once', async () => {
    const rep = await server.createUser();
    const hub = new NotificationHub(server.platform, { pollMs: 50, pageSize: 3 });
    const written: string[] = [];
    const res = { writableEnded: false, write: (chunk: string) => written.push(chunk), end() {} } as unknown as ServerResponse;
    await hub.connect(rep.id, res);
    for (let i = 0; i < 8; i++) {
      await sql`INSERT INTO user_notification (id, user_id, kind, object, record_id, occurrence, title, body)
        VALUES (${uuidv7()}, ${rep.id}::uuid, 'reminder', 'task', ${uuidv7()}::uuid, '2030-01-01', ${`Burst ${i}`}, '')`.execute(server.platform.db);
    }
    const titles = () => written.filter((w) => w.startsWith('event: notification')).map((w) => JSON.parse(w.split('data: ')[1]!).title as string);
    await until(() => titles().length >= 8);
    await new Promise((r) => setTimeout(r, 300));
    expect(titles().sort()).toEqual(Array.from({ length: 8 }, (_, i) => `Burst ${i}`));
    hub.disconnect(rep.id, res);
    expect(hub.connections).toBe(0);
    await hub.stop();
  });

  it('is woken by the reminders job (LISTEN/NOTIFY) long before its next poll', async () => {
    const rep = await server.createUser();
    const hub = new NotificationHub(server.platform, { pollMs: 60_000 });
    const written: string[] = [];
    const res = { writableEnded: false, write: (chunk: string) => written.push(chunk), end() {} } as unknown as ServerResponse;
    await hub.connect(rep.id, res);
    await buildRecord(rep, 'call', { subject: 'Woken', start_at: new Date(Date.now() + 5 * 60_000).toISOString(), reminder_minutes: 10 });
    expect((await sendDueReminders(server.platform, { settings: { escalationHours: 24 } })).created).toBe(1);
    await until(() => written.some((w) => w.startsWith('event: notification') && w.includes('Reminder: Woken')), 5000);
    await hub.stop();
  });

  it('ends open streams when the app closes', async () => {
    const rep = await server.createUser();
    const open = await openStream(rep.token);
    await until(() => open.events.length > 0);
    const started = Date.now();
    await server.app.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.app.notificationHub.connections).toBe(0);
  });
});
