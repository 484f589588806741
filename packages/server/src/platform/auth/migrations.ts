import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';
import { oauthMigrations } from './oauth/migrations.ts';
import { ssoMigrations } from './sso/migrations.ts';

/**
 * Tables and triggers behind the per-process authentication cache (auth/cache.ts) and the shared
 * rate-limit counters (events/security.ts). They run after the standard tables exist (boot.ts),
 * because the triggers watch obj_user.
 */
export const authMigrations: Migration[] = [
  {
    id: 'platform/auth_cache_version',
    async up(db) {
      // One counter, bumped in the same transaction as every change that can alter what an
      // authentication resolves to; each process compares it before using its cache.
      await sql`CREATE TABLE IF NOT EXISTS auth_cache_version (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        version bigint NOT NULL
      )`.execute(db);
      await sql`INSERT INTO auth_cache_version (id, version) VALUES (true, 1) ON CONFLICT (id) DO NOTHING`.execute(db);
      await sql`CREATE OR REPLACE FUNCTION meridian_bump_auth_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE auth_cache_version SET version = version + 1 WHERE id;
          RETURN NULL;
        END $$`.execute(db);
      // Users: profile, role, active, deletion, time zone… and role membership of others (a
      // manager's subordinates). Tokens: revocation and expiry (not last_used_at). Sessions: sign-out
      // and password changes delete them; sliding expiry only extends them, which a stale cache
      // re-reads before refusing. Groups: membership is part of the access info.
      const triggers: Array<[string, string]> = [
        ['obj_user', 'AFTER INSERT OR UPDATE OR DELETE'],
        ['api_token', 'AFTER UPDATE OF revoked_at, expires_at, user_id OR DELETE'],
        ['auth_session', 'AFTER UPDATE OF user_id OR DELETE'],
        ['access_group_member', 'AFTER INSERT OR UPDATE OR DELETE'],
      ];
      for (const [table, when] of triggers) {
        await sql.raw(`DROP TRIGGER IF EXISTS meridian_auth_version ON ${table}`).execute(db);
        await sql.raw(`CREATE TRIGGER meridian_auth_version ${when} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION meridian_bump_auth_version()`).execute(db);
      }
    },
  },
  {
    id: 'platform/rate_limit_counter',
    async up(db) {
      // Hits per key in its current window (window_end in epoch ms), shared by every process.
      // Unlogged: counters need no crash safety, and skipping the WAL keeps the upsert cheap.
      await sql`CREATE UNLOGGED TABLE IF NOT EXISTS rate_limit_counter (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        window_end bigint NOT NULL
      )`.execute(db);
    },
  },
  // Integration clients (oauth/) — after the version function they reuse.
  ...oauthMigrations,
  // Single sign-on (sso/).
  ...ssoMigrations,
];
