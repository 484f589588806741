import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { sql } from 'kysely';
import type { Platform } from '../kernel.ts';
import type { JobDefinition } from '../jobs/boss.ts';
import { loadEventSettings, type EventSettings } from './config.ts';
import { EventDispatcher } from './dispatcher.ts';
import type { EventSubscriber } from './outbox.ts';
import { registerEventRoutes } from './routes.ts';
import { registerSecurity } from './security.ts';
import { WebhookDeliverer } from './webhooks/deliver.ts';
import { webhookSubscriber } from './webhooks/fanout.ts';

export { writeAudit, type AuditEntry } from './audit.ts';
export type { EventSubscriber, OutboxEvent } from './outbox.ts';
export { eventHandler } from './handler.ts';

/** HTTP side (buildApp): rate limits and sign-in audit hooks, webhook and audit-log routes. Call before the authentication hook. */
export async function registerEventsHttp(app: FastifyInstance, platform: Platform): Promise<void> {
  await registerSecurity(app, platform);
  registerEventRoutes(app, platform);
}

const registered = new WeakMap<Platform, EventSubscriber[]>();

/**
 * Adds an outbox subscriber for this platform (e.g. from a module's start-up: the timeline, the
 * search index, workflow rules). It receives every batch the dispatcher hands out from then on,
 * after the webhook fan-out, in the same transaction — see EventSubscriber in outbox.ts.
 */
export function registerEventSubscriber(platform: Platform, subscriber: EventSubscriber): void {
  const list = registered.get(platform) ?? [];
  if (list.some((s) => s.name === subscriber.name)) throw new Error(`An event subscriber '${subscriber.name}' is already registered`);
  registered.set(platform, [...list, subscriber]);
}

export interface EventBackbone {
  dispatcher: EventDispatcher;
  deliverer: WebhookDeliverer;
  stop(): Promise<void>;
}

/**
 * Starts the outbox dispatcher and the webhook delivery loop in this process (`meridian start`,
 * `meridian worker`, tests). Other subscribers (timeline, search, workflow) join through
 * registerEventSubscriber or `options.subscribers`; they run after the webhook fan-out in the
 * same dispatch transaction.
 */
export async function startEventBackbone(platform: Platform, options: { settings?: EventSettings; subscribers?: EventSubscriber[] } = {}): Promise<EventBackbone> {
  const settings = options.settings ?? loadEventSettings();
  const deliverer = new WebhookDeliverer(platform, settings.webhooks, settings.pollMs);
  const webhooks = webhookSubscriber({ onQueued: () => deliverer.wake() });
  const subscribers = () => [webhooks, ...(registered.get(platform) ?? []), ...(options.subscribers ?? [])];
  const dispatcher = new EventDispatcher(platform, subscribers, { pollMs: settings.pollMs, batchSize: settings.batchSize });
  // A write committed in this process wakes the dispatcher at once; others reach it by NOTIFY or the poll.
  platform.hooks.register('afterCommit', { name: 'events.wake', object: '*', run: () => dispatcher.wake() });
  await deliverer.start();
  dispatcher.start();
  const unlisten = settings.listen ? await listen(platform, { meridian_outbox: () => dispatcher.wake(), meridian_webhooks: () => deliverer.wake() }) : async () => {};
  let stopped: Promise<void> | undefined;
  return {
    dispatcher,
    deliverer,
    stop() {
      stopped ??= (async () => {
        await unlisten();
        await dispatcher.stop();
        await deliverer.stop();
      })();
      return stopped;
    },
  };
}

/** LISTEN on PostgreSQL through a dedicated connection (reconnecting), or on the PGlite instance. */
export async function listen(platform: Platform, channels: Record<string, () => void>): Promise<() => Promise<void>> {
  const { database } = platform;
  if (database.kind === 'pglite') {
    const offs: Array<() => Promise<void>> = [];
    await database.mutex!.run(async () => {
      for (const [channel, fn] of Object.entries(channels)) offs.push(await database.pglite!.listen(channel, fn));
    });
    return async () => {
      await database.mutex!.run(async () => {
        for (const off of offs) await off().catch(() => {});
      });
    };
  }
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: database.connectionString });
    c.on('notification', (n) => channels[n.channel]?.());
    c.on('error', (error) => {
      platform.logger.warn({ err: error }, 'event LISTEN connection lost; reconnecting (polling meanwhile)');
      c.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void connect().catch(() => {}), 2000);
    });
    try {
      await c.connect();
      for (const channel of Object.keys(channels)) await c.query(`LISTEN ${channel}`);
      client = c;
      // Anything committed while we were not listening is picked up by the next poll anyway.
      for (const fn of Object.values(channels)) fn();
    } catch (error) {
      platform.logger.warn({ err: error }, 'event LISTEN failed; polling only, retrying');
      c.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void connect().catch(() => {}), 5000);
    }
  };
  await connect();
  return async () => {
    closed = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

/** Housekeeping: dispatched events and finished deliveries older than the retention are removed. */
export const eventJobs: JobDefinition[] = [
  {
    name: 'events.prune',
    cron: '41 3 * * *',
    async run(platform) {
      const days = loadEventSettings().retentionDays;
      await sql`DELETE FROM webhook_delivery WHERE completed_at < now() - make_interval(days => ${days})`.execute(platform.db);
      await sql`DELETE FROM outbox_event e WHERE e.dispatched_at < now() - make_interval(days => ${days})
        AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.event_id = e.id)`.execute(platform.db);
      await sql`DELETE FROM user_notification WHERE read_at < now() - interval '90 days'`.execute(platform.db);
    },
  },
];
