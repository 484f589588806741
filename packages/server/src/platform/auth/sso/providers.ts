import { sql } from 'kysely';
import { uuidv7 } from '../../ids.ts';
import { notFound, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import { writeAudit } from '../../events/audit.ts';
import { encryptSecret } from '../../events/webhooks/secrets.ts';
import { discoverProvider, forgetProvider } from './discovery.ts';

/**
 * OpenID Connect identity providers (issue 15 item 9). The client secret is stored encrypted
 * (AES-256-GCM under a key derived from the server's signing key, the provider id as additional
 * data) because it must be sent to the provider; it is never answered or logged.
 */
export interface ProviderInfo {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  allowedDomains: string[];
  defaultProfile: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ProviderRow {
  id: string;
  name: string;
  issuer: string;
  client_id: string;
  client_secret_enc: string;
  allowed_domains: string[];
  default_profile: string | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

export const secretAad = (id: string) => `sso:${id}`;

const present = (r: ProviderRow): ProviderInfo => ({
  id: r.id, name: r.name, issuer: r.issuer, clientId: r.client_id, allowedDomains: r.allowed_domains, defaultProfile: r.default_profile, enabled: r.enabled,
  createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
});

export async function providerRow(platform: Platform, id: string): Promise<ProviderRow> {
  const r = await sql<ProviderRow>`SELECT * FROM sso_provider WHERE id::text = ${id}`.execute(platform.db);
  if (!r.rows[0]) throw notFound('Identity provider');
  return r.rows[0];
}

/** Loopback issuers may use http (a provider on the same machine, tests); every other issuer must be https. */
export function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

interface ProviderInput {
  name?: unknown;
  issuer?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
  allowedDomains?: unknown;
  defaultProfile?: unknown;
  enabled?: unknown;
}

async function checkInput(platform: Platform, input: ProviderInput, creating: boolean) {
  const errors: FieldError[] = [];
  const out: { name?: string; issuer?: string; clientId?: string; clientSecret?: string; allowedDomains?: string[]; defaultProfile?: string | null; enabled?: boolean } = {};
  const text = (key: keyof ProviderInput, max: number, message: string) => {
    const v = input[key];
    if (v === undefined && !creating) return undefined;
    if (typeof v !== 'string' || !v.trim() || v.length > max) {
      errors.push({ field: key, code: 'required', message });
      return undefined;
    }
    return v.trim();
  };
  out.name = text('name', 100, 'Name the provider as staff will see it, e.g. "Okta"');
  const issuer = text('issuer', 500, 'The issuer URL, e.g. https://login.example.com');
  if (issuer) {
    let url: URL | undefined;
    try {
      url = new URL(issuer);
    } catch {
      /* reported below */
    }
    if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url)))) errors.push({ field: 'issuer', code: 'invalid', message: 'Use the https URL the provider names as its issuer' });
    else out.issuer = issuer;
  }
  out.clientId = text('clientId', 500, 'The client id the provider gave Meridian');
  if (input.clientSecret !== undefined || creating) out.clientSecret = text('clientSecret', 2000, 'The client secret the provider gave Meridian');
  if (input.allowedDomains !== undefined || creating) {
    const list = Array.isArray(input.allowedDomains) ? input.allowedDomains.map((d) => (typeof d === 'string' ? d.trim().toLowerCase() : '')) : [];
    if (!list.length || list.some((d) => !DOMAIN.test(d))) errors.push({ field: 'allowedDomains', code: 'invalid', message: 'List the e-mail domains allowed to sign in, e.g. example.com' });
    else out.allowedDomains = [...new Set(list)];
  }
  if (input.defaultProfile !== undefined) {
    if (input.defaultProfile === null || input.defaultProfile === '') out.defaultProfile = null;
    else {
      const p = typeof input.defaultProfile === 'string' ? await sql`SELECT 1 FROM access_profile WHERE name = ${input.defaultProfile}`.execute(platform.db) : { rows: [] };
      if (!p.rows.length) errors.push({ field: 'defaultProfile', code: 'unknown_profile', message: 'Choose a profile for new users, or none to sign in existing users only' });
      else out.defaultProfile = input.defaultProfile as string;
    }
  }
  if (input.enabled !== undefined) {
    if (typeof input.enabled !== 'boolean') errors.push({ field: 'enabled', code: 'invalid', message: 'true or false' });
    else out.enabled = input.enabled;
  }
  if (errors.length) throw validationFailed(errors);
  return out;
}

export async function listProviders(args: { platform: Platform; actor: Actor }): Promise<ProviderInfo[]> {
  assertAdmin(args.actor);
  const r = await sql<ProviderRow>`SELECT * FROM sso_provider ORDER BY name`.execute(args.platform.db);
  return r.rows.map(present);
}

/** What the sign-in page shows before anyone is signed in: enabled providers' ids and names only. */
export async function listSignInProviders(platform: Platform): Promise<Array<{ id: string; name: string }>> {
  const r = await sql<{ id: string; name: string }>`SELECT id, name FROM sso_provider WHERE enabled ORDER BY name`.execute(platform.db);
  return r.rows;
}

export async function createProvider(args: { platform: Platform; actor: Actor; input: ProviderInput }): Promise<ProviderInfo> {
  assertAdmin(args.actor);
  const v = await checkInput(args.platform, args.input, true);
  const id = uuidv7();
  await args.platform.db.transaction().execute(async (trx) => {
    await sql`INSERT INTO sso_provider (id, name, issuer, client_id, client_secret_enc, allowed_domains, default_profile, enabled)
      VALUES (${id}, ${v.name!}, ${v.issuer!}, ${v.clientId!}, ${encryptSecret(args.platform.signingKey, secretAad(id), v.clientSecret!)}, ${v.allowedDomains!}::text[], ${v.defaultProfile ?? null}, ${v.enabled ?? true})`.execute(trx);
    await writeAudit(trx, { action: 'sso.provider.created', actor: args.actor, target: { type: 'sso_provider', id }, details: { name: v.name, issuer: v.issuer, allowedDomains: v.allowedDomains } });
  });
  return present(await providerRow(args.platform, id));
}

export async function updateProvider(args: { platform: Platform; actor: Actor; id: string; input: ProviderInput }): Promise<ProviderInfo> {
  assertAdmin(args.actor);
  const existing = await providerRow(args.platform, args.id);
  const v = await checkInput(args.platform, args.input, false);
  await args.platform.db.transaction().execute(async (trx) => {
    await sql`UPDATE sso_provider SET
      name = ${v.name ?? existing.name}, issuer = ${v.issuer ?? existing.issuer}, client_id = ${v.clientId ?? existing.client_id},
      client_secret_enc = ${v.clientSecret ? encryptSecret(args.platform.signingKey, secretAad(existing.id), v.clientSecret) : existing.client_secret_enc},
      allowed_domains = ${v.allowedDomains ?? existing.allowed_domains}::text[],
      default_profile = ${v.defaultProfile === undefined ? existing.default_profile : v.defaultProfile},
      enabled = ${v.enabled ?? existing.enabled}, updated_at = now()
      WHERE id = ${existing.id}`.execute(trx);
    const changed = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    await writeAudit(trx, { action: 'sso.provider.updated', actor: args.actor, target: { type: 'sso_provider', id: existing.id }, details: { changed } });
  });
  forgetProvider(existing.id);
  return present(await providerRow(args.platform, existing.id));
}

export async function deleteProvider(args: { platform: Platform; actor: Actor; id: string }): Promise<void> {
  assertAdmin(args.actor);
  const existing = await providerRow(args.platform, args.id);
  await args.platform.db.transaction().execute(async (trx) => {
    await sql`DELETE FROM sso_provider WHERE id = ${existing.id}`.execute(trx);
    await writeAudit(trx, { action: 'sso.provider.deleted', actor: args.actor, target: { type: 'sso_provider', id: existing.id }, details: { name: existing.name } });
  });
  forgetProvider(existing.id);
}

/** "Test connection": the provider's discovery document is fetched and its issuer checked. */
export async function testProvider(args: { platform: Platform; actor: Actor; id: string }): Promise<{ ok: boolean; message: string; authorizationEndpoint?: string }> {
  assertAdmin(args.actor);
  const row = await providerRow(args.platform, args.id);
  forgetProvider(row.id);
  try {
    const config = await discoverProvider(args.platform, row);
    return { ok: true, message: `Connected to ${config.serverMetadata().issuer}`, authorizationEndpoint: config.serverMetadata().authorization_endpoint! };
  } catch (error) {
    return { ok: false, message: `Could not use ${row.issuer}: ${(error as Error).message}` };
  }
}
