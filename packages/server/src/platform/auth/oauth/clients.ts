import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from '../../ids.ts';
import { notFound, validationFailed } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import { writeAudit } from '../../events/audit.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import { parseScopes } from './scopes.ts';

/**
 * Integration clients (PLT-12): an external system's identity for the OAuth 2.0 client
 * credentials grant. The secret is answered once and only its SHA-256 is kept (it is 256 random
 * bits, so a slow hash adds nothing). Rotation replaces the secret at once and ends the client's
 * tokens; revocation ends the client and its tokens at once (the shared authentication version is
 * bumped by a trigger in the same transaction).
 */
export const CLIENT_SECRET_PREFIX = 'mcs_';

export interface ClientInfo {
  id: string;
  clientId: string;
  name: string;
  scopes: string[];
  userId: string;
  userEmail: string | null;
  secretPrefix: string;
  createdAt: string;
  secretRotatedAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface ClientRow {
  id: string;
  client_id: string;
  name: string;
  scopes: string[];
  user_id: string;
  user_email: string | null;
  secret_prefix: string;
  created_at: Date;
  secret_rotated_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const present = (r: ClientRow): ClientInfo => ({
  id: r.id, clientId: r.client_id, name: r.name, scopes: r.scopes, userId: r.user_id, userEmail: r.user_email, secretPrefix: r.secret_prefix,
  createdAt: iso(r.created_at)!, secretRotatedAt: iso(r.secret_rotated_at), lastUsedAt: iso(r.last_used_at), revokedAt: iso(r.revoked_at),
});
const SELECT = sql`SELECT c.id, c.client_id, c.name, c.scopes, c.user_id, u.email AS user_email, c.secret_prefix, c.created_at, c.secret_rotated_at, c.last_used_at, c.revoked_at
  FROM oauth_client c LEFT JOIN obj_user u ON u.id = c.user_id`;

export async function listClients(args: { platform: Platform; actor: Actor }): Promise<ClientInfo[]> {
  assertAdmin(args.actor);
  const r = await sql<ClientRow>`${SELECT} ORDER BY c.revoked_at IS NOT NULL, c.created_at DESC`.execute(args.platform.db);
  return r.rows.map(present);
}

async function getClient(platform: Platform, id: string, db = platform.db): Promise<ClientInfo> {
  const r = await sql<ClientRow>`${SELECT} WHERE c.id::text = ${id}`.execute(db);
  if (!r.rows[0]) throw notFound('Integration client');
  return present(r.rows[0]);
}

export async function createClient(args: { platform: Platform; actor: Actor; input: { name?: unknown; scopes?: unknown; userId?: unknown } }): Promise<ClientInfo & { clientSecret: string }> {
  assertAdmin(args.actor);
  const { platform, input } = args;
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 100) throw validationFailed([{ field: 'name', code: 'required', message: 'Name the client (up to 100 characters), e.g. "Data warehouse sync"' }]);
  await platform.registry.ensureFresh();
  const scopes = parseScopes(platform.registry, input.scopes);
  const userId = typeof input.userId === 'string' ? input.userId : '';
  const user = await sql<{ id: string }>`SELECT id FROM obj_user WHERE id::text = ${userId} AND deleted_at IS NULL AND active IS NOT FALSE`.execute(platform.db);
  if (!user.rows[0]) throw validationFailed([{ field: 'userId', code: 'unknown_user', message: 'Choose the active user this client acts as' }]);
  const id = uuidv7();
  const clientId = `mci_${randomBytes(12).toString('hex')}`;
  const secret = newSecret(CLIENT_SECRET_PREFIX);
  await platform.db.transaction().execute(async (trx) => {
    await sql`INSERT INTO oauth_client (id, client_id, name, secret_hash, secret_prefix, scopes, user_id, created_by)
      VALUES (${id}, ${clientId}, ${name}, ${hashSecret(secret)}, ${secret.slice(0, 10)}, ${scopes}::text[], ${userId}, ${args.actor.userId})`.execute(trx);
    await writeAudit(trx, { action: 'oauth.client.created', actor: args.actor, target: { type: 'oauth_client', id }, details: { name, clientId, scopes, userId } });
  });
  return { ...(await getClient(platform, id)), clientSecret: secret };
}

/** A new secret, answered once; the old secret and every token issued with it stop working at once. */
export async function rotateClientSecret(args: { platform: Platform; actor: Actor; id: string }): Promise<ClientInfo & { clientSecret: string }> {
  assertAdmin(args.actor);
  const secret = newSecret(CLIENT_SECRET_PREFIX);
  await args.platform.db.transaction().execute(async (trx) => {
    const r = await sql`UPDATE oauth_client SET secret_hash = ${hashSecret(secret)}, secret_prefix = ${secret.slice(0, 10)}, secret_rotated_at = now()
      WHERE id::text = ${args.id} AND revoked_at IS NULL`.execute(trx);
    if (!r.numAffectedRows) throw notFound('Integration client');
    await sql`DELETE FROM oauth_access_token WHERE client_id::text = ${args.id}`.execute(trx);
    await writeAudit(trx, { action: 'oauth.client.secret_rotated', actor: args.actor, target: { type: 'oauth_client', id: args.id } });
  });
  return { ...(await getClient(args.platform, args.id)), clientSecret: secret };
}

/** Ends the client: its secret and every token it holds stop working on the next request, in every process. */
export async function revokeClient(args: { platform: Platform; actor: Actor; id: string }): Promise<void> {
  assertAdmin(args.actor);
  await args.platform.db.transaction().execute(async (trx) => {
    const r = await sql`UPDATE oauth_client SET revoked_at = now() WHERE id::text = ${args.id} AND revoked_at IS NULL`.execute(trx);
    if (!r.numAffectedRows) throw notFound('Integration client');
    await sql`DELETE FROM oauth_access_token WHERE client_id::text = ${args.id}`.execute(trx);
    await writeAudit(trx, { action: 'oauth.client.revoked', actor: args.actor, target: { type: 'oauth_client', id: args.id } });
  });
}
