/**
 * Settings of the event backbone, read from the environment when a dispatcher or the HTTP
 * layer starts (so a test can set them just before it boots a server).
 *
 *   MERIDIAN_EVENTS_POLL_MS              dispatcher/delivery poll interval (200)
 *   MERIDIAN_EVENTS_BATCH                outbox events fanned out per transaction (500)
 *   MERIDIAN_EVENTS_LISTEN               'off' disables LISTEN/NOTIFY wake-ups (on)
 *   MERIDIAN_EVENT_RETENTION_DAYS        dispatched events and finished deliveries are pruned after (30)
 *   MERIDIAN_WEBHOOK_RETRY_SCHEDULE      delays before retries 1..n, e.g. "5s,30s,2m,10m,30m,1h,2h,4h"
 *   MERIDIAN_WEBHOOK_TIMEOUT_MS          per attempt (15000)
 *   MERIDIAN_WEBHOOK_CONCURRENCY         attempts in flight per process (64)
 *   MERIDIAN_WEBHOOK_RETRY_AFTER_MAX     cap on a receiver's Retry-After ("1h")
 *   MERIDIAN_WEBHOOK_DISABLE_AFTER       consecutive dead letters that disable a subscription (5)
 *   MERIDIAN_WEBHOOK_DISABLE_FAILING     continuous failure that disables a subscription ("24h")
 */
export interface WebhookSettings {
  /** Delay before retry n (index n-1), in ms; attempts = length + 1. */
  retrySchedule: number[];
  timeoutMs: number;
  concurrency: number;
  retryAfterMaxMs: number;
  disableAfterDeadLetters: number;
  disableAfterFailingMs: number;
}

export interface EventSettings {
  pollMs: number;
  batchSize: number;
  listen: boolean;
  retentionDays: number;
  webhooks: WebhookSettings;
}

export const DEFAULT_RETRY_SCHEDULE = '5s,30s,2m,10m,30m,1h,2h,4h';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '250ms', '5s', '2m', '1h', '1d' or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new Error(`Not a duration: '${text}' (use e.g. 500ms, 5s, 2m, 1h)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
}

export function parseSchedule(text: string): number[] {
  const steps = text.split(',').map((s) => s.trim()).filter(Boolean).map(parseDuration);
  if (!steps.length) throw new Error('MERIDIAN_WEBHOOK_RETRY_SCHEDULE needs at least one delay');
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! < steps[i - 1]!) throw new Error('MERIDIAN_WEBHOOK_RETRY_SCHEDULE must not decrease');
  }
  return steps;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

export function loadEventSettings(env: NodeJS.ProcessEnv = process.env): EventSettings {
  return {
    pollMs: int(env, 'MERIDIAN_EVENTS_POLL_MS', 200, 5),
    batchSize: int(env, 'MERIDIAN_EVENTS_BATCH', 500),
    listen: env.MERIDIAN_EVENTS_LISTEN !== 'off',
    retentionDays: int(env, 'MERIDIAN_EVENT_RETENTION_DAYS', 30),
    webhooks: {
      retrySchedule: parseSchedule(env.MERIDIAN_WEBHOOK_RETRY_SCHEDULE || DEFAULT_RETRY_SCHEDULE),
      timeoutMs: int(env, 'MERIDIAN_WEBHOOK_TIMEOUT_MS', 15_000, 100),
      concurrency: int(env, 'MERIDIAN_WEBHOOK_CONCURRENCY', 64),
      retryAfterMaxMs: parseDuration(env.MERIDIAN_WEBHOOK_RETRY_AFTER_MAX || '1h'),
      disableAfterDeadLetters: int(env, 'MERIDIAN_WEBHOOK_DISABLE_AFTER', 5),
      disableAfterFailingMs: parseDuration(env.MERIDIAN_WEBHOOK_DISABLE_FAILING || '24h'),
    },
  };
}
