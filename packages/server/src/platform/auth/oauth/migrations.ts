import { sql } from 'kysely';
import type { Migration } from '../../db/migrations.ts';

/**
 * Integration clients (OAuth 2.0 client credentials) and the access tokens issued to them. Only
 * hashes of secrets and tokens are stored. A client's revocation, secret rotation or change of
 * scopes bumps the shared authentication version (auth/migrations.ts) in the same transaction, so
 * every process stops accepting its cached tokens on the next request.
 */
export const oauthMigrations: Migration[] = [
  {
    id: 'platform/oauth_clients',
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS oauth_client (
        id uuid PRIMARY KEY,
        client_id text NOT NULL UNIQUE,
        name text NOT NULL,
        secret_hash text NOT NULL,
        secret_prefix text NOT NULL,
        scopes text[] NOT NULL,
        user_id uuid NOT NULL,
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        secret_rotated_at timestamptz(3),
        last_used_at timestamptz(3),
        revoked_at timestamptz(3)
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS oauth_access_token (
        token_hash text PRIMARY KEY,
        client_id uuid NOT NULL REFERENCES oauth_client (id) ON DELETE CASCADE,
        scopes text[] NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_oauth_access_token_client ON oauth_access_token (client_id)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_oauth_access_token_expires ON oauth_access_token (expires_at)`.execute(db);
      // Rotation deletes the client's tokens in the same transaction as the secret change, which
      // already bumps the version; sweeping expired tokens needs no bump.
      const triggers: Array<[string, string]> = [
        ['oauth_client', 'AFTER UPDATE OF revoked_at, secret_hash, scopes, user_id OR DELETE'],
      ];
      for (const [table, when] of triggers) {
        await sql.raw(`DROP TRIGGER IF EXISTS meridian_auth_version ON ${table}`).execute(db);
        await sql.raw(`CREATE TRIGGER meridian_auth_version ${when} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION meridian_bump_auth_version()`).execute(db);
      }
    },
  },
];
