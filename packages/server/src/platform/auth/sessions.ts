import { sql } from 'kysely';
import { uuidv7 } from '../ids.ts';
import { AppError, notFound, unauthenticated, validationFailed } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import type { Actor, Channel } from '../records/context.ts';
import { hashSecret, newSecret } from './secrets.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { loadAccessInfo } from '../access/info.ts';
import { writeAudit } from '../events/audit.ts';
import { authCache, loadSession, loadToken } from './cache.ts';
import { requestGate } from './gate.ts';
import { ACCESS_TOKEN_PREFIX, actorFromAccessToken } from './oauth/token.ts';

export const SESSION_COOKIE = 'meridian_session';
export const SESSION_DAYS = 14;

export interface UserRow {
  id: string;
  email: string;
  profile: string;
  role?: string | null;
  active: boolean | null;
  time_zone: string | null;
  locale: string | null;
  full_name: string;
}

/**
 * The actor of a signed-in user, with their profile, role hierarchy and groups. Passes the
 * request gate first, so the cached access information it uses is current (auth/cache.ts).
 */
export async function buildActor(platform: Platform, user: UserRow, via: Channel, tokenId?: string): Promise<Actor> {
  await requestGate(platform).pass();
  return actorWithAccess(platform, user, via, tokenId);
}

/** buildActor for callers that passed the gate for this request already. */
async function actorWithAccess(platform: Platform, user: UserRow, via: Channel, tokenId?: string): Promise<Actor> {
  const access = await loadAccessInfo(platform, { id: user.id, profile: user.profile, role: user.role ?? null });
  return { ...actorFor(user, via, tokenId), isAdmin: access.profile?.isAdmin === true, access };
}

export function actorFor(user: UserRow, via: Channel, tokenId?: string): Actor {
  return {
    userId: user.id,
    isAdmin: user.profile === 'admin',
    via,
    ...(tokenId ? { tokenId } : {}),
    timeZone: user.time_zone || 'UTC',
    locale: user.locale || 'en-US',
  };
}

/** Checks e-mail and password; the same error and similar timing whether the user exists or not. */
export async function login(args: { platform: Platform; email: unknown; password: unknown; ip?: string; userAgent?: string }): Promise<{ sessionId: string; user: UserRow; expiresAt: Date }> {
  if (typeof args.email !== 'string' || typeof args.password !== 'string' || !args.email || !args.password) {
    throw validationFailed([{ field: typeof args.email === 'string' && args.email ? 'password' : 'email', code: 'required', message: 'E-mail and password are required' }]);
  }
  const r = await sql<UserRow & { password_hash: string | null; password_disabled: boolean }>`SELECT u.id, u.email, u.profile, u.active, u.time_zone, u.locale, u.full_name, c.password_hash,
      EXISTS (SELECT 1 FROM auth_password_disabled d WHERE d.user_id = u.id) AS password_disabled
    FROM obj_user u LEFT JOIN auth_credential c ON c.user_id = u.id WHERE lower(u.email) = lower(${args.email}) AND u.deleted_at IS NULL`.execute(args.platform.db);
  const row = r.rows[0];
  const ok = await verifyPassword(row?.password_hash ?? (await dummyHash()), args.password);
  if (!row || !row.password_hash || !ok || row.active === false) throw new AppError('unauthenticated', 'The e-mail or password is not correct');
  // Told only to someone who knows the password: this user signs in with single sign-on.
  if (row.password_disabled) throw new AppError('unauthenticated', 'Password sign-in is turned off for this user; use single sign-on');
  return { ...(await startSession(args.platform, row.id, args)), user: row };
}

/** A new session for a user who proved who they are (password or single sign-on). */
export async function startSession(platform: Platform, userId: string, meta: { ip?: string; userAgent?: string } = {}): Promise<{ sessionId: string; expiresAt: Date }> {
  const sessionId = newSecret('ms_');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86400_000);
  await sql`INSERT INTO auth_session (id, user_id, expires_at, ip, user_agent) VALUES (${hashSecret(sessionId)}, ${userId}, ${expiresAt}, ${meta.ip ?? null}, ${(meta.userAgent ?? '').slice(0, 300)})`.execute(platform.db);
  return { sessionId, expiresAt };
}

export async function logout(platform: Platform, sessionId: string): Promise<void> {
  await sql`DELETE FROM auth_session WHERE id = ${hashSecret(sessionId)}`.execute(platform.db);
}

/**
 * How a request may be authenticated: `version` is the authentication version the request gate
 * read for this request (events/security.ts passes it on); without it, the gate is passed here.
 */
export interface AuthenticateOptions {
  version?: number;
}

const currentVersion = async (platform: Platform, options: AuthenticateOptions) => options.version ?? (await requestGate(platform).pass()).version;

export async function actorFromSession(platform: Platform, sessionId: string, options: AuthenticateOptions = {}): Promise<Actor> {
  const id = hashSecret(sessionId);
  const version = await currentVersion(platform, options);
  const cache = authCache(platform);
  let s = cache.get(cache.sessions, id, version);
  // An expiry that looks past may have been extended by another process: read again before refusing.
  if (!s || s.expiresAt < Date.now()) s = await loadSession(platform, id);
  if (!s || s.expiresAt < Date.now()) throw unauthenticated('Your session has expired; sign in again');
  if (s.user.user_deleted_at || s.user.active === false) throw unauthenticated('This user is no longer active');
  // Sliding expiry, written at most once an hour per session (and process).
  if (Date.now() - s.lastSeenAt > 3600_000) {
    await sql`UPDATE auth_session SET last_seen_at = now(), expires_at = now() + make_interval(days => ${SESSION_DAYS}) WHERE id = ${id}`.execute(platform.db);
    s.lastSeenAt = Date.now();
    s.expiresAt = Math.max(s.expiresAt, Date.now() + SESSION_DAYS * 86400_000 - 60_000);
  }
  return actorWithAccess(platform, s.user, 'ui');
}

export async function actorFromToken(platform: Platform, token: string, options: AuthenticateOptions = {}): Promise<Actor> {
  const hash = hashSecret(token);
  const version = await currentVersion(platform, options);
  // An integration client's OAuth access token (auth/oauth/token.ts): scoped, never an admin.
  if (token.startsWith(ACCESS_TOKEN_PREFIX)) return actorFromAccessToken(platform, token, version);
  const cache = authCache(platform);
  const t = cache.get(cache.tokens, hash, version) ?? (await loadToken(platform, hash));
  if (!t || t.revoked || (t.expiresAt !== null && t.expiresAt < Date.now())) throw unauthenticated('The API token is not valid');
  if (t.user.user_deleted_at || t.user.active === false) throw unauthenticated('The user of this API token is no longer active');
  if (t.lastUsedAt === null || Date.now() - t.lastUsedAt > 60_000) {
    t.lastUsedAt = Date.now();
    await sql`UPDATE api_token SET last_used_at = now() WHERE id = ${t.tokenId}`.execute(platform.db);
  }
  return actorWithAccess(platform, t.user, 'api', t.tokenId);
}

/**
 * The rate-limit key of a credential this process has already authenticated (`token:<id>` or
 * `user:<id>` for a session), so it can be counted before authentication in the same round trip;
 * unknown credentials are counted once authenticated.
 */
export function cachedCredentialKey(platform: Platform, credential: { token?: string; sessionId?: string }): string | undefined {
  const version = requestGate(platform).version;
  const cache = authCache(platform);
  if (credential.token) {
    const t = cache.get(cache.tokens, hashSecret(credential.token), version);
    return t && !t.revoked ? `token:${t.tokenId}` : undefined;
  }
  const s = credential.sessionId ? cache.get(cache.sessions, hashSecret(credential.sessionId), version) : undefined;
  return s ? `user:${s.user.id}` : undefined;
}

export interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** A new API token for the actor's own user; the secret is returned once and only its hash is kept. */
export async function createApiToken(args: { platform: Platform; actor: Actor; name: unknown; expiresInDays?: unknown }): Promise<TokenInfo & { token: string }> {
  if (!args.actor.userId) throw unauthenticated();
  // A scoped integration token must not mint an unscoped personal token for its user.
  if (args.actor.scopes) throw new AppError('forbidden', 'An integration client cannot create API tokens');
  if (typeof args.name !== 'string' || !args.name.trim() || args.name.length > 100) {
    throw validationFailed([{ field: 'name', code: 'required', message: 'Name the token (up to 100 characters), e.g. "Accounting sync"' }]);
  }
  let expiresAt: Date | null = null;
  if (args.expiresInDays !== undefined && args.expiresInDays !== null) {
    if (!Number.isInteger(args.expiresInDays) || (args.expiresInDays as number) < 1 || (args.expiresInDays as number) > 3650) {
      throw validationFailed([{ field: 'expiresInDays', code: 'out_of_range', message: 'Between 1 and 3650 days' }]);
    }
    expiresAt = new Date(Date.now() + (args.expiresInDays as number) * 86400_000);
  }
  const token = newSecret('mrd_');
  const id = uuidv7();
  const prefix = token.slice(0, 10);
  await sql`INSERT INTO api_token (id, user_id, name, token_hash, prefix, expires_at) VALUES (${id}, ${args.actor.userId}, ${args.name.trim()}, ${hashSecret(token)}, ${prefix}, ${expiresAt})`.execute(args.platform.db);
  await writeAudit(args.platform.db, { action: 'token.created', actor: args.actor, target: { type: 'api_token', id }, details: { name: args.name.trim(), prefix, expiresAt: expiresAt?.toISOString() ?? null } });
  return { id, name: args.name.trim(), token, prefix, createdAt: new Date().toISOString(), lastUsedAt: null, expiresAt: expiresAt?.toISOString() ?? null };
}

export async function listApiTokens(args: { platform: Platform; actor: Actor }): Promise<TokenInfo[]> {
  const r = await sql<{ id: string; name: string; prefix: string; created_at: Date; last_used_at: Date | null; expires_at: Date | null }>`SELECT id, name, prefix, created_at, last_used_at, expires_at
    FROM api_token WHERE user_id = ${args.actor.userId} AND revoked_at IS NULL ORDER BY created_at DESC`.execute(args.platform.db);
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return r.rows.map((t) => ({ id: t.id, name: t.name, prefix: t.prefix, createdAt: iso(t.created_at)!, lastUsedAt: iso(t.last_used_at), expiresAt: iso(t.expires_at) }));
}

export async function revokeApiToken(args: { platform: Platform; actor: Actor; id: string }): Promise<void> {
  const r = await sql`UPDATE api_token SET revoked_at = now() WHERE id::text = ${args.id} AND revoked_at IS NULL AND (user_id = ${args.actor.userId} OR ${args.actor.isAdmin})`.execute(args.platform.db);
  if (!r.numAffectedRows || r.numAffectedRows === 0n) throw notFound('API token');
  await writeAudit(args.platform.db, { action: 'token.revoked', actor: args.actor, target: { type: 'api_token', id: args.id } });
}
