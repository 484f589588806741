import * as oidc from 'openid-client';
import { sql } from 'kysely';
import type { Platform } from '../../kernel.ts';
import { systemActor } from '../../records/context.ts';
import { writeAudit } from '../../events/audit.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import { startSession } from '../sessions.ts';
import { createUser } from '../users.ts';
import { discoverProvider } from './discovery.ts';
import { providerRow } from './providers.ts';

/**
 * The authorization code flow with PKCE, state and nonce (openid-client). `startSignIn` keeps
 * the flow's secrets in `sso_sign_in` under the hash of a random id it hands the browser as a
 * cookie; `finishSignIn` takes that row once (single use, ten minutes), lets openid-client check
 * state, the ID token's signature, issuer, audience and nonce, then matches the user by verified
 * e-mail in an allowed domain or creates them just in time with the provider's default profile.
 */
export const SSO_COOKIE = 'meridian_sso';
const FLOW_MINUTES = 10;

export const callbackUrl = (platform: Platform) => `${platform.config.publicUrl}/auth/sso/callback`;

/** Why a sign-in failed: a stable code the sign-in page turns into a sentence. */
export type SsoFailure = 'provider_unavailable' | 'flow_expired' | 'state_mismatch' | 'provider_refused' | 'token_invalid' | 'email_unverified' | 'domain_not_allowed' | 'no_account' | 'user_inactive';

export class SsoError extends Error {
  readonly reason: SsoFailure;
  constructor(reason: SsoFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

export async function startSignIn(platform: Platform, providerId: string): Promise<{ flowId: string; url: string }> {
  const row = await providerRow(platform, providerId);
  if (!row.enabled) throw new SsoError('provider_unavailable', 'This identity provider is turned off');
  let config: oidc.Configuration;
  try {
    config = await discoverProvider(platform, row);
  } catch (error) {
    platform.logger.warn({ err: error, provider: row.id }, 'identity provider discovery failed');
    throw new SsoError('provider_unavailable', `Could not reach the identity provider: ${(error as Error).message}`);
  }
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const flowId = newSecret('sso_');
  await sql`INSERT INTO sso_sign_in (id, provider_id, state, nonce, code_verifier, expires_at)
    VALUES (${hashSecret(flowId)}, ${row.id}, ${state}, ${nonce}, ${verifier}, ${new Date(Date.now() + FLOW_MINUTES * 60_000)})`.execute(platform.db);
  // Flows never finished are swept by later ones.
  await sql`DELETE FROM sso_sign_in WHERE expires_at < now()`.execute(platform.db);
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(platform),
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { flowId, url: url.href };
}

export interface FinishArgs {
  flowId: string | undefined;
  /** The query string the provider sent the browser back with. */
  query: string;
  ip?: string;
  userAgent?: string;
}

export async function finishSignIn(platform: Platform, args: FinishArgs): Promise<{ sessionId: string; userId: string; created: boolean }> {
  let providerId: string | null = null;
  try {
    const flow = args.flowId
      ? (await sql<{ provider_id: string; state: string; nonce: string; code_verifier: string; expires_at: Date }>`
          DELETE FROM sso_sign_in WHERE id = ${hashSecret(args.flowId)} RETURNING provider_id, state, nonce, code_verifier, expires_at`.execute(platform.db)).rows[0]
      : undefined;
    if (!flow || new Date(flow.expires_at).getTime() < Date.now()) throw new SsoError('flow_expired', 'The sign-in took too long or was started in another browser; try again');
    providerId = flow.provider_id;
    const params = new URLSearchParams(args.query);
    // Checked here as well as by openid-client, so the reason is exact.
    if (params.get('state') !== flow.state) throw new SsoError('state_mismatch', 'The answer from the identity provider does not belong to this sign-in');
    if (params.get('error')) throw new SsoError('provider_refused', `The identity provider refused: ${params.get('error_description') ?? params.get('error')}`);
    const row = await providerRow(platform, flow.provider_id);
    const config = await discoverProvider(platform, row);
    let email: unknown;
    let verified: unknown;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(`${callbackUrl(platform)}?${params}`), {
        pkceCodeVerifier: flow.code_verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      // Providers may keep e-mail claims out of the ID token (they answer them at userinfo).
      const info = claims.email === undefined ? await oidc.fetchUserInfo(config, tokens.access_token, claims.sub) : claims;
      email = info.email;
      verified = info.email_verified;
    } catch (error) {
      if (error instanceof SsoError) throw error;
      throw new SsoError('token_invalid', `The identity provider's answer was refused: ${(error as Error).message}`);
    }
    if (typeof email !== 'string' || !email.includes('@')) throw new SsoError('email_unverified', 'The identity provider gave no e-mail address');
    if (verified !== true) throw new SsoError('email_unverified', `The identity provider has not verified ${email}`);
    const domain = email.split('@').pop()!.toLowerCase();
    if (!row.allowed_domains.includes(domain)) throw new SsoError('domain_not_allowed', `E-mail addresses at ${domain} may not sign in with ${row.name}`);
    const existing = await sql<{ id: string; active: boolean | null }>`SELECT id, active FROM obj_user WHERE lower(email) = lower(${email}) AND deleted_at IS NULL`.execute(platform.db);
    let userId = existing.rows[0]?.id;
    let created = false;
    if (existing.rows[0]?.active === false) throw new SsoError('user_inactive', 'This user is no longer active');
    if (!userId) {
      if (!row.default_profile) throw new SsoError('no_account', `No Meridian user has the e-mail ${email}; ask an administrator`);
      const user = await createUser({ platform, actor: systemActor('system'), input: { email, profile: row.default_profile } });
      userId = user.id as string;
      created = true;
      await writeAudit(platform.db, { action: 'auth.sso.user_created', actor: null, actorLabel: email, target: { type: 'user', id: userId }, details: { provider: row.id, profile: row.default_profile } });
    }
    const { sessionId } = await startSession(platform, userId, args);
    await writeAudit(platform.db, { action: 'auth.login.succeeded', actor: { userId, via: 'ui' }, actorLabel: email, ip: args.ip ?? null, userAgent: args.userAgent ?? null, details: { method: 'sso', provider: row.id } });
    return { sessionId, userId, created };
  } catch (error) {
    const e = error instanceof SsoError ? error : new SsoError('provider_unavailable', (error as Error).message);
    await writeAudit(platform.db, { action: 'auth.login.failed', actor: null, ip: args.ip ?? null, userAgent: args.userAgent ?? null, details: { method: 'sso', provider: providerId, reason: e.reason } });
    throw e;
  }
}
