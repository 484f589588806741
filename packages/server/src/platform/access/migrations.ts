import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/** Tables of the access model (PLT-11): profiles, roles, groups, sharing rules, record teams. */
export const accessMigrations: Migration[] = [
  {
    id: '0002_access',
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS access_profile (
        name text PRIMARY KEY,
        label text NOT NULL,
        description text,
        is_admin boolean NOT NULL DEFAULT false,
        permissions jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`INSERT INTO access_profile (name, label, description, is_admin, permissions) VALUES
        ('admin', 'Administrator', 'Everything, including users, metadata and settings', true, '{}'),
        ('standard', 'Standard user', 'Create, read, edit and delete business records, within record sharing', false,
          '{"default":{"read":true,"create":true,"edit":true,"delete":true,"viewAll":false,"modifyAll":false}}')
        ON CONFLICT (name) DO NOTHING`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS access_role (
        name text PRIMARY KEY,
        label text NOT NULL,
        parent text REFERENCES access_role(name) ON DELETE RESTRICT,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS access_group (
        name text PRIMARY KEY,
        label text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS access_group_member (
        group_name text NOT NULL REFERENCES access_group(name) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        PRIMARY KEY (group_name, user_id)
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_access_group_member_user ON access_group_member (user_id)`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS access_object_setting (
        object text PRIMARY KEY,
        sharing text NOT NULL CHECK (sharing IN ('private', 'public_read', 'public_read_write'))
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS access_sharing_rule (
        id uuid PRIMARY KEY,
        object text NOT NULL,
        name text NOT NULL,
        condition jsonb NOT NULL,
        share_with_type text NOT NULL CHECK (share_with_type IN ('role', 'role_and_subordinates', 'group')),
        share_with text NOT NULL,
        access text NOT NULL CHECK (access IN ('read', 'edit')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (object, name)
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS record_team_member (
        object text NOT NULL,
        record_id uuid NOT NULL,
        user_id uuid NOT NULL,
        team_role text NOT NULL DEFAULT 'member',
        access text NOT NULL DEFAULT 'edit' CHECK (access IN ('read', 'edit')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (object, record_id, user_id)
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_record_team_member_user ON record_team_member (user_id, object)`.execute(db);
    },
  },
];
