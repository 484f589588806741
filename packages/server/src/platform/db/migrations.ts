import { sql, type Kysely } from 'kysely';
import { eventMigrations } from '../events/migrations.ts';
import { accessMigrations } from '../access/migrations.ts';
import { viewMigrations } from '../views/migrations.ts';
import { notificationMigrations } from '../notifications/migrations.ts';
import { picklistMigrations } from '../metadata/picklists/migrations.ts';
import { formulaMigrations } from '../formula/migrations.ts';

/**
 * Forward-only, idempotent migrations of the system tables. Record tables are created from the
 * object definitions (metadata/sync.ts), not here. Each migration runs in its own transaction.
 */
export interface Migration {
  id: string;
  up(db: Kysely<any>): Promise<void>;
}

const coreMigrations: Migration[] = [
  {
    id: '0001_system_tables',
    async up(db) {
      await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS system_setting (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS meta_object (
        api_name text PRIMARY KEY,
        label text NOT NULL,
        plural_label text NOT NULL,
        description text,
        table_name text NOT NULL,
        name_field text NOT NULL,
        nav_order integer NOT NULL DEFAULT 100,
        is_standard boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3)
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS meta_field (
        id uuid PRIMARY KEY,
        object text NOT NULL,
        api_name text NOT NULL,
        label text NOT NULL,
        type text NOT NULL,
        column_name text NOT NULL,
        required boolean NOT NULL DEFAULT false,
        is_unique boolean NOT NULL DEFAULT false,
        default_value jsonb,
        help_text text,
        picklist jsonb,
        lookup jsonb,
        autonumber jsonb,
        external_id boolean NOT NULL DEFAULT false,
        searchable boolean NOT NULL DEFAULT false,
        is_standard boolean NOT NULL DEFAULT false,
        position integer NOT NULL DEFAULT 0,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3)
      )`.execute(db);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_meta_field_live ON meta_field (object, api_name) WHERE deleted_at IS NULL`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS meta_validation_rule (
        id uuid PRIMARY KEY,
        object text NOT NULL,
        name text NOT NULL,
        condition jsonb NOT NULL,
        message text NOT NULL,
        field text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_meta_validation_rule_name ON meta_validation_rule (object, name)`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS auth_credential (
        user_id uuid PRIMARY KEY,
        password_hash text NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS auth_session (
        id text PRIMARY KEY,
        user_id uuid NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_seen_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        ip text,
        user_agent text
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_auth_session_user ON auth_session (user_id)`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS api_token (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3),
        expires_at timestamptz(3),
        revoked_at timestamptz(3)
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_api_token_user ON api_token (user_id)`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS record_history (
        id uuid PRIMARY KEY,
        change_id uuid NOT NULL,
        object text NOT NULL,
        record_id uuid NOT NULL,
        operation text NOT NULL,
        field text,
        old_value jsonb,
        new_value jsonb,
        actor_id uuid,
        via text NOT NULL,
        occurred_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_record_history_record ON record_history (object, record_id, occurred_at DESC, id DESC)`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS outbox_event (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        type text NOT NULL,
        object text NOT NULL,
        record_id uuid NOT NULL,
        changes jsonb NOT NULL,
        actor jsonb NOT NULL,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        dispatched_at timestamptz(3)
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_outbox_pending ON outbox_event (seq) WHERE dispatched_at IS NULL`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS idempotency_key (
        user_id uuid NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status_code integer NOT NULL,
        response jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS recycle_bin (
        id uuid PRIMARY KEY,
        object text NOT NULL,
        record_id uuid NOT NULL,
        name text,
        root_object text NOT NULL,
        root_id uuid NOT NULL,
        cleared jsonb NOT NULL DEFAULT '[]',
        deleted_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_by uuid
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_recycle_bin_root ON recycle_bin (root_object, root_id)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_recycle_bin_record ON recycle_bin (object, record_id)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_recycle_bin_deleted ON recycle_bin (deleted_at DESC, id DESC)`.execute(db);
    },
  },
  {
    // Deletes made as one action (an import's undo, over several transactions) share a group:
    // the recycle bin lists it as one entry, restored or purged together.
    id: '0011_recycle_bin_groups',
    async up(db) {
      await sql`ALTER TABLE recycle_bin ADD COLUMN IF NOT EXISTS bin_group text`.execute(db);
      await sql`ALTER TABLE recycle_bin ADD COLUMN IF NOT EXISTS bin_group_label text`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_recycle_bin_group ON recycle_bin (bin_group) WHERE bin_group IS NOT NULL`.execute(db);
    },
  },
  {
    // A create's field values on its one history row ({field: {old, new}}), not a row per field:
    // an import of a million contacts wrote eleven million history rows (records/history.ts).
    id: '0012_history_create_document',
    async up(db) {
      await sql`ALTER TABLE record_history ADD COLUMN IF NOT EXISTS changes jsonb`.execute(db);
    },
  },
];

// Ids are global and applied once each, in this order; areas keep their migrations beside their code.
const migrations: Migration[] = [...coreMigrations, ...accessMigrations, ...viewMigrations, ...picklistMigrations, ...eventMigrations, ...notificationMigrations, ...formulaMigrations];

export async function runMigrations(db: Kysely<any>, list: Migration[] = migrations): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS meridian_migration (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  const applied: string[] = [];
  for (const m of list) {
    const done = await db.transaction().execute(async (trx) => {
      // Serialise concurrent starters (several API processes on one PostgreSQL).
      await sql`SELECT pg_advisory_xact_lock(7340181)`.execute(trx);
      const r = await sql`SELECT 1 FROM meridian_migration WHERE id = ${m.id}`.execute(trx);
      if (r.rows.length) return false;
      await m.up(trx);
      await sql`INSERT INTO meridian_migration (id) VALUES (${m.id})`.execute(trx);
      return true;
    });
    if (done) applied.push(m.id);
  }
  return applied;
}

/** Ids of the migrations this database has applied, platform's and modules' (`meridian migrate` reports the new ones). */
export async function appliedMigrations(database: { db: Kysely<any> }): Promise<string[]> {
  const exists = await sql<{ t: string | null }>`SELECT to_regclass('meridian_migration')::text AS t`.execute(database.db);
  if (!exists.rows[0]?.t) return [];
  const r = await sql<{ id: string }>`SELECT id FROM meridian_migration ORDER BY applied_at, id`.execute(database.db);
  return r.rows.map((x) => x.id);
}
