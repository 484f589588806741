import * as oidc from 'openid-client';
import type { Platform } from '../../kernel.ts';
import { decryptSecret } from '../../events/webhooks/secrets.ts';
import { isLoopback, secretAad, type ProviderRow } from './providers.ts';

/**
 * The provider's configuration from its discovery document (openid-client checks that the
 * document's issuer is the configured one), kept per process for ten minutes and per version of
 * the provider's row, so an admin's change is used at once.
 */
const cache = new Map<string, { stamp: string; at: number; config: oidc.Configuration }>();
const TTL_MS = 10 * 60_000;

export function forgetProvider(id: string): void {
  cache.delete(id);
}

export async function discoverProvider(platform: Platform, row: ProviderRow): Promise<oidc.Configuration> {
  const stamp = new Date(row.updated_at).toISOString();
  const hit = cache.get(row.id);
  if (hit && hit.stamp === stamp && Date.now() - hit.at < TTL_MS) return hit.config;
  const issuer = new URL(row.issuer);
  const secret = decryptSecret(platform.signingKey, secretAad(row.id), row.client_secret_enc);
  const config = await oidc.discovery(issuer, row.client_id, secret, undefined, {
    timeout: 10,
    // http only for a provider on this machine (providers.ts refuses other http issuers).
    ...(issuer.protocol === 'http:' && isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
  cache.set(row.id, { stamp, at: Date.now(), config });
  return config;
}
