import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/platform/config.ts';
import { bootPlatform, createLogger } from '../src/platform/boot.ts';
import { modules } from '../src/modules/index.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { registerWebApp } from '../src/platform/http/web.ts';
import { prepareFirstRun } from '../src/platform/auth/setup.ts';
import { createUser } from '../src/platform/auth/users.ts';
import { actorFor, createApiToken } from '../src/platform/auth/sessions.ts';
import { systemActor } from '../src/platform/records/context.ts';
import type { Platform } from '../src/platform/kernel.ts';
import { createTestDatabase } from './db.ts';
import { sendDueReminders } from '../src/modules/activities/commands/sendReminders.ts';
import { startEventBackbone } from '../src/platform/events/index.ts';
import { loadEventSettings } from '../src/platform/events/config.ts';

/**
 * Boots the real server with the built web app (packages/web/dist) on a free loopback port and a
 * throwaway database (PGlite in memory, or a fresh PostgreSQL database when DATABASE_URL is set),
 * for the web app's browser tests. Without `admin`, the server is in first-run state and
 * `setupUrl` is the one-time link the console would print.
 */
export interface E2EServer {
  url: string;
  setupUrl: string | null;
  app: FastifyInstance;
  platform: Platform;
  /** Creates a user with an API token (for arranging test data through the API). */
  createUser(input: { email: string; password: string; profile?: 'admin' | 'standard'; firstName?: string; lastName?: string }): Promise<{ id: string; token: string }>;
  /** Runs the reminders job once now (what the worker does every minute), without e-mail. */
  sendDueReminders(): Promise<{ created: number }>;
  close(): Promise<void>;
}

export async function startE2EServer(options: { admin?: { email: string; password: string }; smtpUrl?: string } = {}): Promise<E2EServer> {
  const db = await createTestDatabase();
  const config = { ...loadConfig({}), publicUrl: 'http://127.0.0.1', host: '127.0.0.1', port: 0, bodyLimitBytes: 2 * 1024 * 1024, ...(options.smtpUrl ? { smtpUrl: options.smtpUrl } : {}) };
  const platform = await bootPlatform({ config, modules, database: db.database, logger: createLogger('silent') });
  const app = await buildApp(platform, { logger: false, plugins: [registerWebApp], checkResponses: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  // The outbox runs as under `meridian start`: an accepted quote becomes an order, a completed
  // order is invoiced, webhooks are delivered — what a user sees follows in the browser.
  const events = await startEventBackbone(platform, { settings: loadEventSettings({ MERIDIAN_EVENTS_POLL_MS: '50' }) });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const makeUser: E2EServer['createUser'] = async (input) => {
    const profile = input.profile ?? 'admin';
    const user = await createUser({ platform, actor: systemActor('system'), input: { ...input, profile } });
    const actor = actorFor({ id: user.id, email: input.email, profile, active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' }, 'api');
    const { token } = await createApiToken({ platform, actor, name: 'e2e' });
    return { id: user.id as string, token };
  };

  let setupUrl: string | null = null;
  if (options.admin) await makeUser({ ...options.admin, profile: 'admin', firstName: 'Ada', lastName: 'Admin' });
  else {
    const first = await prepareFirstRun(platform);
    if (first.kind === 'setup') setupUrl = `${url}/setup?token=${new URL(first.url).searchParams.get('token')}`;
  }

  return {
    url,
    setupUrl,
    app,
    platform,
    createUser: makeUser,
    sendDueReminders: () => sendDueReminders(platform, { settings: { escalationHours: 24 } }),
    async close() {
      await events.stop();
      await app.close();
      await db.cleanup();
    },
  };
}
