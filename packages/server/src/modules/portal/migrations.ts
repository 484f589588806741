import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';

/**
 * The portal's own tables (ids `portal/<id>`): which contacts may sign in, their sign-in links
 * (only the SHA-256 of a token), their sessions (only the SHA-256 of the cookie) and the access
 * log staff read on the contact page. None of them is a record: they are the portal's auth state.
 */
export const portalMigrations: ModuleMigration[] = [
  {
    id: '0001_portal_auth',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS portal_access (
        contact_id uuid PRIMARY KEY,
        granted_at timestamptz NOT NULL DEFAULT now(),
        granted_by uuid,
        revoked_at timestamptz,
        revoked_by uuid)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS portal_sign_in_link (
        id uuid PRIMARY KEY,
        contact_id uuid NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        requested_ip text,
        invited_by uuid)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_portal_sign_in_link_contact ON portal_sign_in_link (contact_id)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS portal_session (
        id text PRIMARY KEY,
        contact_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        ip text,
        user_agent text)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_portal_session_contact ON portal_session (contact_id)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS portal_access_log (
        id uuid PRIMARY KEY,
        contact_id uuid NOT NULL,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        action text NOT NULL,
        detail text,
        ip text,
        user_agent text)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_portal_access_log_contact ON portal_access_log (contact_id, occurred_at DESC, id DESC)`.execute(trx);
    },
  },
];
