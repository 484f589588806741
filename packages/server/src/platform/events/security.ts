import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { AppError } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import { dummyHash, verifyPassword } from '../auth/passwords.ts';
import { parseDuration } from './config.ts';
import { writeAudit } from './audit.ts';
import { requestGate, type GateResult } from '../auth/gate.ts';
import { cachedCredentialKey, SESSION_COOKIE } from '../auth/sessions.ts';

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
 *   MERIDIAN_RATE_LIMIT_OAUTH      token requests at POST /oauth/token per client address and window (60; 0 = no limit)
 *
 * Counters are in the database (rate_limit_counter, fixed windows), counted by the request gate
 * (auth/gate.ts) in the same round trip that checks the authentication version, so every API
 * process on one PostgreSQL counts against the same budget. The lock-out is in the database too.
 */
export interface SecuritySettings {
  rateLimit: boolean;
  windowMs: number;
  perToken: number;
  perIp: number;
  login: number;
  lockoutAfter: number;
  lockoutMs: number;
  /** Token requests at POST /oauth/token per client address and window. */
  oauth: number;
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
    oauth: num('MERIDIAN_RATE_LIMIT_OAUTH', 60),
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

interface Limit {
  max: number;
  what: string;
}

/** Sets the X-RateLimit headers of the tightest-counted limit and refuses once a count exceeds its limit. */
function enforce(reply: FastifyReply, gate: GateResult, limits: Limit[]): void {
  const resetS = Math.max(1, Math.ceil(gate.resetMs / 1000));
  limits.forEach((limit, i) => {
    const count = gate.counts[i]!;
    reply.header('x-ratelimit-limit', limit.max);
    reply.header('x-ratelimit-remaining', Math.max(0, limit.max - count));
    reply.header('x-ratelimit-reset', resetS);
    if (count <= limit.max) return;
    reply.header('retry-after', resetS);
    throw new AppError('rate_limited', `Too many ${limit.what}; retry in ${resetS} s (see Retry-After)`);
  });
}

/** The per-credential key, when this process knows the credential already (else counted after authentication). */
function credentialKey(platform: Platform, request: FastifyRequest): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (bearer) return cachedCredentialKey(platform, { token: bearer[1]! });
  const sid = request.headers.authorization ? undefined : request.cookies?.[SESSION_COOKIE];
  return sid ? cachedCredentialKey(platform, { sessionId: sid }) : undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    meridianLoginLocked?: boolean;
    /** The authentication version the request gate read for this request (auth/gate.ts). */
    authVersion?: number;
    /** The per-credential rate-limit key already counted for this request. */
    meridianCredentialCounted?: boolean;
  }
}

/**
 * Registers the hooks. Call before the authentication hook (app.ts): the request gate's round trip
 * then serves both (it reads the authentication version the cache needs), and the per-IP limit
 * also counts requests whose credentials are refused.
 */
export async function registerSecurity(app: FastifyInstance, platform: Platform, settings = loadSecuritySettings()): Promise<void> {
  const gate = requestGate(platform);
  const windowMs = settings.windowMs;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const hits: string[] = [];
    const limits: Limit[] = [];
    if (settings.rateLimit && isLimited(request)) {
      if (settings.perIp > 0) {
        hits.push(`ip:${request.ip}`);
        limits.push({ max: settings.perIp, what: 'requests from this address' });
      }
      const credential = settings.perToken > 0 ? credentialKey(platform, request) : undefined;
      if (credential) {
        hits.push(credential);
        limits.push({ max: settings.perToken, what: 'requests with these credentials' });
        request.meridianCredentialCounted = true;
      }
    }
    // Nothing to count and nothing to authenticate: no round trip.
    if (!hits.length && !request.headers.authorization && !request.headers.cookie) return;
    const result = await gate.pass({ hits, windowMs });
    request.authVersion = result.version;
    // An admin's metadata or permission change made in another process holds from this request on.
    if (result.metadataVersion > platform.registry.version) await gate.syncRegistry(result.metadataVersion);
    enforce(reply, result, limits);
  });
  if (settings.rateLimit) {
    app.addHook('preHandler', async (request, reply) => {
      // The token endpoint sits outside /api (OAuth clients expect /oauth/token), so the per-address
      // budget above does not see it: it has its own, like sign-in, against floods of guesses.
      if (isRoute(request, 'POST', '/oauth/token') && settings.oauth > 0) {
        enforce(reply, await gate.pass({ hits: [`oauth:${request.ip}`], windowMs }), [{ max: settings.oauth, what: 'token requests from this address' }]);
      }
      if (!isLimited(request)) return;
      if (request.actor?.userId && settings.perToken > 0 && !request.meridianCredentialCounted) {
        const key = request.actor.tokenId ? `token:${request.actor.tokenId}` : `user:${request.actor.userId}`;
        enforce(reply, await gate.pass({ hits: [key], windowMs }), [{ max: settings.perToken, what: 'requests with these credentials' }]);
      }
      if (isRoute(request, 'POST', '/api/v1/auth/login') && settings.login > 0) {
        enforce(reply, await gate.pass({ hits: [`login:${request.ip}:${loginEmail(request) ?? ''}`], windowMs }), [{ max: settings.login, what: 'sign-in attempts' }]);
      }
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
