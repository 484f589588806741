import { timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { unauthenticated } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { loadAccessInfo } from '../../access/info.ts';
import { writeAudit } from '../../events/audit.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import { actorFor, type UserRow } from '../sessions.ts';
import { oauthSettings } from './settings.ts';

/** Access tokens of integration clients start with this, so the gate knows which table to ask. */
export const ACCESS_TOKEN_PREFIX = 'mat_';

/** An RFC 6749 §5.2 error: answered as `{ error, error_description }`, not as problem+json. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type';
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly description: string;
  readonly status: number;
  constructor(error: OAuthErrorCode, description: string, status = 400) {
    super(description);
    this.error = error;
    this.description = description;
    this.status = status;
  }
}

export interface TokenRequest {
  grantType: unknown;
  clientId: string | undefined;
  clientSecret: string | undefined;
  scope: unknown;
  ip?: string;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The client credentials grant (RFC 6749 §4.4): a short-lived token for the client's scopes, or the subset it asks for. */
export async function issueToken(platform: Platform, req: TokenRequest): Promise<IssuedToken> {
  if (req.grantType !== 'client_credentials') {
    throw new OAuthError(req.grantType === undefined ? 'invalid_request' : 'unsupported_grant_type', req.grantType === undefined ? 'grant_type is required' : 'Only grant_type=client_credentials is supported');
  }
  if (!req.clientId || !req.clientSecret) throw new OAuthError('invalid_client', 'Client authentication failed', 401);
  const r = await sql<{ id: string; secret_hash: string; scopes: string[]; revoked_at: Date | null; user_id: string; active: boolean | null; deleted_at: Date | null }>`
    SELECT c.id, c.secret_hash, c.scopes, c.revoked_at, c.user_id, u.active, u.deleted_at
    FROM oauth_client c JOIN obj_user u ON u.id = c.user_id WHERE c.client_id = ${req.clientId}`.execute(platform.db);
  const client = r.rows[0];
  // Unknown client, wrong secret, revoked client or inactive user: one answer, so nothing is learned.
  const hash = hashSecret(req.clientSecret);
  if (!client || !same(client.secret_hash, hash) || client.revoked_at || client.deleted_at || client.active === false) {
    throw new OAuthError('invalid_client', 'Client authentication failed', 401);
  }
  let scopes = client.scopes;
  if (req.scope !== undefined && req.scope !== '') {
    if (typeof req.scope !== 'string') throw new OAuthError('invalid_request', 'scope must be a space-separated string');
    const asked = [...new Set(req.scope.split(' ').filter(Boolean))];
    const extra = asked.filter((s) => !client.scopes.includes(s));
    if (extra.length) throw new OAuthError('invalid_scope', `Not granted to this client: ${extra.join(' ')}`);
    scopes = asked;
  }
  const ttlMs = oauthSettings.of(platform).tokenLifetime;
  const token = newSecret(ACCESS_TOKEN_PREFIX);
  await platform.db.transaction().execute(async (trx) => {
    await sql`INSERT INTO oauth_access_token (token_hash, client_id, scopes, expires_at) VALUES (${hashSecret(token)}, ${client.id}, ${scopes}::text[], ${new Date(Date.now() + ttlMs)})`.execute(trx);
    await sql`UPDATE oauth_client SET last_used_at = now() WHERE id = ${client.id}`.execute(trx);
    await writeAudit(trx, { action: 'oauth.token.issued', actor: { userId: client.user_id, via: 'api' }, ip: req.ip ?? null, target: { type: 'oauth_client', id: client.id }, details: { scopes, expiresIn: Math.floor(ttlMs / 1000) } });
  });
  // Expired tokens are swept now and then by whoever asks for a new one.
  if (Math.random() < 0.05) void sql`DELETE FROM oauth_access_token WHERE expires_at < now()`.execute(platform.db).catch((error) => platform.logger.warn({ err: error }, 'could not sweep expired OAuth tokens'));
  return { access_token: token, token_type: 'Bearer', expires_in: Math.floor(ttlMs / 1000), scope: scopes.join(' ') };
}

interface AccessTokenEntry {
  version: number;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  user: UserRow & { user_deleted_at: Date | null };
}

/** Per-process cache like auth/cache.ts: an entry is used only at the authentication version it was read at. */
const caches = new WeakMap<Platform, Map<string, AccessTokenEntry>>();

async function loadAccessToken(platform: Platform, hash: string): Promise<AccessTokenEntry | undefined> {
  const r = await sql<UserRow & { user_deleted_at: Date | null; client_id: string; scopes: string[]; expires_at: Date; auth_version: string }>`
    SELECT c.id AS client_id, t.scopes, t.expires_at, u.id, u.email, u.profile, u.role, u.active, u.time_zone, u.locale, u.full_name, u.deleted_at AS user_deleted_at,
      (SELECT version FROM auth_cache_version) AS auth_version
    FROM oauth_access_token t JOIN oauth_client c ON c.id = t.client_id AND c.revoked_at IS NULL JOIN obj_user u ON u.id = c.user_id
    WHERE t.token_hash = ${hash}`.execute(platform.db);
  const row = r.rows[0];
  if (!row) return undefined;
  const { client_id, scopes, expires_at, auth_version, ...user } = row;
  const entry: AccessTokenEntry = { version: Number(auth_version), clientId: client_id, scopes, expiresAt: new Date(expires_at).getTime(), user };
  let cache = caches.get(platform);
  if (!cache) caches.set(platform, (cache = new Map()));
  if (cache.size >= 10_000) cache.clear();
  cache.set(hash, entry);
  return entry;
}

/**
 * The actor of an integration client's access token: the acting user's access narrowed by the
 * token's scopes (access/policy.ts), never an administrator — admin-only settings are outside
 * every scope. `version` is the authentication version the request gate read for this request.
 */
export async function actorFromAccessToken(platform: Platform, token: string, version: number): Promise<Actor> {
  const hash = hashSecret(token);
  const cached = caches.get(platform)?.get(hash);
  const t = cached && cached.version === version ? cached : await loadAccessToken(platform, hash);
  if (!t || t.expiresAt < Date.now()) throw unauthenticated('The access token is not valid or has expired; request a new one from /oauth/token');
  if (t.user.user_deleted_at || t.user.active === false) throw unauthenticated('The user this client acts as is no longer active');
  const access = await loadAccessInfo(platform, { id: t.user.id, profile: t.user.profile, role: t.user.role ?? null });
  return { ...actorFor(t.user, 'api', t.clientId), isAdmin: false, access, scopes: t.scopes };
}
