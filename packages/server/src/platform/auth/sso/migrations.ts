import { sql } from 'kysely';
import type { Migration } from '../../db/migrations.ts';

/**
 * Single sign-on with OpenID Connect: the identity providers admins configure (client secret
 * encrypted at rest), the sign-ins in flight (state, nonce and PKCE verifier, single use, bound to
 * the browser by a cookie whose hash is the key) and the users whose password sign-in is off.
 */
export const ssoMigrations: Migration[] = [
  {
    id: 'platform/sso',
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS sso_provider (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret_enc text NOT NULL,
        allowed_domains text[] NOT NULL,
        default_profile text,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS sso_sign_in (
        id text PRIMARY KEY,
        provider_id uuid NOT NULL REFERENCES sso_provider (id) ON DELETE CASCADE,
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        expires_at timestamptz(3) NOT NULL
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS auth_password_disabled (
        user_id uuid PRIMARY KEY,
        disabled_at timestamptz(3) NOT NULL DEFAULT now(),
        disabled_by uuid
      )`.execute(db);
    },
  },
];
