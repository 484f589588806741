import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { sql } from 'kysely';
import { AppError } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import { dummyHash, verifyPassword } from '../auth/passwords.ts';
import { parseDuration } from './config.ts';
import { writeAudit } from './audit.ts';

/**
 * Rate limits and sign-in protection (issue 3, item 8), wired as Fastify hooks so the routes they
 * guard stay unaware of them.
 *
 *   MERIDIAN_RATE_LIMIT            'on' | 'off' (default on; off under Vitest unless set to 'on')
 *   MERIDIAN_RATE_LIMIT_WINDOW     window of every limit ("1m")
 *   MERIDIAN_RATE_LIMIT_TOKEN      /api/v1 requests per API token, or per user of a session (600)
 *   MERIDIAN_RATE_LIMIT_IP         /api/v1 requests per client IP, authenticated or not (1200)
 *   MERIDIAN_RATE_LIMIT_LOGIN      POST /api/v1/auth/login per IP and e-mail (10)
 *   MERIDIAN_LOGIN_LOCKOUT_AFTER   consecutive failed sign-ins of one e-mail that lock it (10; 0 = never)
 *   MERIDIAN_LOGIN_LOCKOUT         how long the lock lasts ("15m")
 *
 * Counters live in each process's memory (an LRU of keys): behind a load balancer each API
 * process counts for itself. The lock-out is in the database, shared by all processes.
 */
export interface SecuritySettings {
  rateLimit: boolean;
  windowMs: number;
  perToken: number;
  perIp: number;
  login: number;
  lockoutAfter: number;
  lockoutMs: number;
}

export function loadSecuritySettings(env: NodeJS.ProcessEnv = process.env): SecuritySettings {
  const num = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
    return n;
  };
  const flag = env.MERIDIAN_RATE_LIMIT;
  return {
    rateLimit: flag ? flag !== 'off' : !env.VITEST,
    windowMs: parseDuration(env.MERIDIAN_RATE_LIMIT_WINDOW || '1m'),
    perToken: num('MERIDIAN_RATE_LIMIT_TOKEN', 600),
    perIp: num('MERIDIAN_RATE_LIMIT_IP', 1200),
    login: num('MERIDIAN_RATE_LIMIT_LOGIN', 10),
    lockoutAfter: num('MERIDIAN_LOGIN_LOCKOUT_AFTER', 10),
    lockoutMs: parseDuration(env.MERIDIAN_LOGIN_LOCKOUT || '15m'),
  };
}

export const LOGIN_FAILED = 'The e-mail or password is not correct';

const isApi = (request: FastifyRequest) => request.url.startsWith('/api/v1/');
/** Load balancers' health checks are not limited. */
const isLimited = (request: FastifyRequest) => isApi(request) && !request.url.startsWith('/api/v1/health');
const isRoute = (request: FastifyRequest, method: string, url: string) => request.method === method && request.routeOptions.url === url;

function loginEmail(request: FastifyRequest): string | undefined {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email ? email.toLowerCase().slice(0, 320) : undefined;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

async function enforce(limiter: Limiter, request: FastifyRequest, reply: FastifyReply, what: string): Promise<void> {
  const r = await limiter(request);
  if (r.isAllowed) return;
  reply.header('x-ratelimit-limit', r.max);
  reply.header('x-ratelimit-remaining', r.isExceeded ? 0 : r.remaining);
  reply.header('x-ratelimit-reset', r.ttlInSeconds);
  if (!r.isExceeded) return;
  reply.header('retry-after', Math.max(1, r.ttlInSeconds));
  throw new AppError('rate_limited', `Too many ${what}; retry in ${Math.max(1, r.ttlInSeconds)} s (see Retry-After)`);
}

declare module 'fastify' {
  interface FastifyRequest {
    meridianLoginLocked?: boolean;
  }
}

/**
 * Registers the hooks. Call before the authentication hook (app.ts): the per-IP limit then also
 * counts requests whose credentials are refused.
 */
export async function registerSecurity(app: FastifyInstance, platform: Platform, settings = loadSecuritySettings()): Promise<void> {
  if (settings.rateLimit) {
    await app.register(rateLimit, { global: false });
    const perIp = app.createRateLimit({ max: settings.perIp, timeWindow: settings.windowMs, keyGenerator: (r) => `ip:${r.ip}` });
    const perActor = app.createRateLimit({
      max: settings.perToken,
      timeWindow: settings.windowMs,
      keyGenerator: (r) => (r.actor?.tokenId ? `token:${r.actor.tokenId}` : `user:${r.actor?.userId ?? r.ip}`),
    });
    const login = app.createRateLimit({ max: settings.login, timeWindow: settings.windowMs, keyGenerator: (r) => `login:${r.ip}:${loginEmail(r) ?? ''}` });
    app.addHook('onRequest', async (request, reply) => {
      if (isLimited(request) && settings.perIp > 0) await enforce(perIp, request, reply, 'requests from this address');
    });
    app.addHook('preHandler', async (request, reply) => {
      if (!isLimited(request)) return;
      if (request.actor && settings.perToken > 0) await enforce(perActor, request, reply, 'requests with these credentials');
      if (isRoute(request, 'POST', '/api/v1/auth/login') && settings.login > 0) await enforce(login, request, reply, 'sign-in attempts');
    });
  }

  // Lock-out: after N consecutive failures an e-mail cannot sign in for a while. The answer is
  // the same 401 as a wrong password, after the same password-hashing work.
  app.addHook('preHandler', async (request) => {
    if (!isRoute(request, 'POST', '/api/v1/auth/login') || settings.lockoutAfter === 0) return;
    const email = loginEmail(request);
    if (!email) return;
    const r = await sql<{ locked_until: Date }>`SELECT locked_until FROM auth_login_failure WHERE email = ${email} AND locked_until > now()`.execute(platform.db);
    if (!r.rows.length) return;
    request.meridianLoginLocked = true;
    await verifyPassword(await dummyHash(), String((request.body as { password?: unknown }).password ?? ''));
    await writeAudit(platform.db, { action: 'auth.login.failed', actor: null, actorLabel: email, ip: request.ip, userAgent: request.headers['user-agent'], details: { reason: 'locked_out', lockedUntil: new Date(r.rows[0]!.locked_until).toISOString() } });
    throw new AppError('unauthenticated', LOGIN_FAILED);
  });

  // Audit of sign-in, sign-out, and the failure count behind the lock-out.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isApi(request) || request.method !== 'POST') return payload;
    try {
      if (isRoute(request, 'POST', '/api/v1/auth/login')) await afterLogin(platform, settings, request, reply.statusCode, payload);
      else if (isRoute(request, 'POST', '/api/v1/auth/logout') && request.actor) {
        await writeAudit(platform.db, { action: 'auth.logout', actor: request.actor, ip: request.ip, userAgent: request.headers['user-agent'] });
      }
    } catch (error) {
      request.log.error({ err: error }, 'could not write the sign-in audit entry');
    }
    return payload;
  });
}

async function afterLogin(platform: Platform, settings: SecuritySettings, request: FastifyRequest, status: number, payload: unknown): Promise<void> {
  const email = loginEmail(request);
  const base = { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
  if (status === 200) {
    let userId: string | null = null;
    try {
      userId = (JSON.parse(String(payload)) as { user?: { id?: string } }).user?.id ?? null;
    } catch {
      /* not JSON: leave the id out */
    }
    if (email) await sql`DELETE FROM auth_login_failure WHERE email = ${email}`.execute(platform.db);
    await writeAudit(platform.db, { action: 'auth.login.succeeded', actor: userId ? { userId, via: 'ui' } : null, actorLabel: email, ...base });
    return;
  }
  if (status !== 401 || !email || request.meridianLoginLocked) return;
  const r = await sql<{ failures: number; locked_until: Date | null }>`INSERT INTO auth_login_failure (email, failures, last_failure_at) VALUES (${email}, 1, now())
    ON CONFLICT (email) DO UPDATE SET
      failures = CASE WHEN auth_login_failure.locked_until IS NOT NULL AND auth_login_failure.locked_until <= now() THEN 1 ELSE auth_login_failure.failures + 1 END,
      locked_until = CASE WHEN auth_login_failure.locked_until IS NOT NULL AND auth_login_failure.locked_until <= now() THEN NULL ELSE auth_login_failure.locked_until END,
      last_failure_at = now()
    RETURNING failures, locked_until`.execute(platform.db);
  const { failures } = r.rows[0]!;
  await writeAudit(platform.db, { action: 'auth.login.failed', actor: null, actorLabel: email, ...base, details: { reason: 'bad_credentials', consecutiveFailures: failures } });
  if (settings.lockoutAfter > 0 && failures >= settings.lockoutAfter) {
    const locked = await sql<{ locked_until: Date }>`UPDATE auth_login_failure SET locked_until = now() + ${settings.lockoutMs} * interval '1 millisecond'
      WHERE email = ${email} AND locked_until IS NULL RETURNING locked_until`.execute(platform.db);
    if (locked.rows.length) {
      await writeAudit(platform.db, { action: 'auth.lockout', actor: null, actorLabel: email, ...base, details: { failures, lockedUntil: new Date(locked.rows[0]!.locked_until).toISOString() } });
    }
  }
}
