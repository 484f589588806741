import { sql } from 'kysely';
import type { Platform } from '../kernel.ts';
import type { UserRow } from './sessions.ts';

/**
 * What authentication reads, cached per process: API token → user, session → user. An entry is
 * used only while the shared authentication version (auth/migrations.ts: bumped by triggers in the
 * same transaction as a revocation, sign-out, password change, or any change to a user or a group
 * membership) still equals the version the entry was read with, and the request gate
 * (auth/gate.ts) reads that version for each request after it arrived. So a change committed
 * anywhere is in force for the next request in every process, and the cost of checking is shared
 * by the requests that arrive together. Expiry is checked against the cached expiry on each use.
 */
export interface CachedUser extends UserRow {
  user_deleted_at: Date | null;
}

export interface TokenEntry {
  version: number;
  tokenId: string;
  expiresAt: number | null;
  revoked: boolean;
  lastUsedAt: number | null;
  user: CachedUser;
}

export interface SessionEntry {
  version: number;
  expiresAt: number;
  lastSeenAt: number;
  user: CachedUser;
}

/** Beyond this many entries a map starts again empty: enough for every active credential of an organisation. */
const MAX_ENTRIES = 10_000;

class AuthCache {
  readonly tokens = new Map<string, TokenEntry>();
  readonly sessions = new Map<string, SessionEntry>();

  get<E extends { version: number }>(map: Map<string, E>, key: string, version: number): E | undefined {
    const e = map.get(key);
    if (!e) return undefined;
    if (e.version === version) return e;
    // Older entries can never become valid again; a newer one (read after the gate) will be.
    if (e.version < version) map.delete(key);
    return undefined;
  }

  set<E>(map: Map<string, E>, key: string, entry: E): void {
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, entry);
  }
}

const caches = new WeakMap<Platform, AuthCache>();

export function authCache(platform: Platform): AuthCache {
  let c = caches.get(platform);
  if (!c) caches.set(platform, (c = new AuthCache()));
  return c;
}

const USER_COLUMNS = sql`u.id, u.email, u.profile, u.role, u.active, u.time_zone, u.locale, u.full_name, u.deleted_at AS user_deleted_at`;
const time = (d: Date | null) => (d ? new Date(d).getTime() : null);

/** Token and user in one round trip, with the version they were read at (the same snapshot). */
export async function loadToken(platform: Platform, tokenHash: string): Promise<TokenEntry | undefined> {
  const r = await sql<CachedUser & { token_id: string; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null; auth_version: string }>`
    SELECT t.id AS token_id, t.expires_at, t.revoked_at, t.last_used_at, ${USER_COLUMNS},
      (SELECT version FROM auth_cache_version) AS auth_version
    FROM api_token t JOIN obj_user u ON u.id = t.user_id WHERE t.token_hash = ${tokenHash}`.execute(platform.db);
  const t = r.rows[0];
  if (!t) return undefined;
  const { token_id, expires_at, revoked_at, last_used_at, auth_version, ...user } = t;
  const entry: TokenEntry = { version: Number(auth_version), tokenId: token_id, expiresAt: time(expires_at), revoked: Boolean(revoked_at), lastUsedAt: time(last_used_at), user };
  const cache = authCache(platform);
  cache.set(cache.tokens, tokenHash, entry);
  return entry;
}

/** Session and user in one round trip, with the version they were read at. */
export async function loadSession(platform: Platform, sessionHash: string): Promise<SessionEntry | undefined> {
  const r = await sql<CachedUser & { expires_at: Date; last_seen_at: Date; auth_version: string }>`
    SELECT s.expires_at, s.last_seen_at, ${USER_COLUMNS}, (SELECT version FROM auth_cache_version) AS auth_version
    FROM auth_session s JOIN obj_user u ON u.id = s.user_id WHERE s.id = ${sessionHash}`.execute(platform.db);
  const s = r.rows[0];
  if (!s) return undefined;
  const { expires_at, last_seen_at, auth_version, ...user } = s;
  const entry: SessionEntry = { version: Number(auth_version), expiresAt: time(expires_at)!, lastSeenAt: time(last_seen_at)!, user };
  const cache = authCache(platform);
  cache.set(cache.sessions, sessionHash, entry);
  return entry;
}
