import { sql } from 'kysely';
import { validationFailed, type FieldError } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import type { RecordContext } from '../../../platform/records/context.ts';

/** A user's notification channels (ACT-3): in the app, by e-mail, and a daily digest e-mail at a local hour. */
export interface NotificationSettings {
  inApp: boolean;
  email: boolean;
  digest: { enabled: boolean; hour: number };
}

export const DEFAULT_SETTINGS: NotificationSettings = { inApp: true, email: true, digest: { enabled: false, hour: 7 } };

interface Row {
  user_id: string;
  in_app: boolean;
  email: boolean;
  digest_enabled: boolean;
  digest_hour: number;
}

const fromRow = (r: Row | undefined): NotificationSettings =>
  r ? { inApp: r.in_app, email: r.email, digest: { enabled: r.digest_enabled, hour: Number(r.digest_hour) } } : structuredClone(DEFAULT_SETTINGS);

/** Settings of several users at once (defaults for those who never saved any), for the jobs. */
export async function settingsOfUsers(platform: Platform, userIds: string[]): Promise<Map<string, NotificationSettings>> {
  const out = new Map(userIds.map((id) => [id, fromRow(undefined)]));
  if (!userIds.length) return out;
  const r = await sql<Row>`SELECT user_id, in_app, email, digest_enabled, digest_hour FROM activity_notification_settings WHERE user_id = ANY(${userIds}::uuid[])`.execute(platform.db);
  for (const row of r.rows) out.set(row.user_id, fromRow(row));
  return out;
}

export async function getNotificationSettings(ctx: RecordContext): Promise<NotificationSettings> {
  const r = await sql<Row>`SELECT user_id, in_app, email, digest_enabled, digest_hour FROM activity_notification_settings WHERE user_id = ${ctx.actor.userId}::uuid`.execute(ctx.platform.db);
  return fromRow(r.rows[0]);
}

export type SettingsPatch = Partial<Pick<NotificationSettings, 'inApp' | 'email'>> & { digest?: Partial<NotificationSettings['digest']> };

/** Validates the PUT body. Keys left out keep their current value; every refusal names its field. */
export function parseSettingsInput(body: unknown): SettingsPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationFailed([{ field: '', code: 'type', message: 'Send {inApp, email, digest: {enabled, hour}}' }]);
  const input = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const out: SettingsPatch = {};
  for (const k of Object.keys(input)) if (!['inApp', 'email', 'digest'].includes(k)) errors.push({ field: k.slice(0, 64), code: 'unknown_property', message: 'Unknown property' });
  for (const k of ['inApp', 'email'] as const) {
    if (!(k in input)) continue;
    if (typeof input[k] === 'boolean') out[k] = input[k];
    else errors.push({ field: k, code: 'type', message: 'true or false' });
  }
  if ('digest' in input) {
    const d = input.digest;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) errors.push({ field: 'digest', code: 'type', message: 'An object {enabled, hour}' });
    else {
      const digest = d as Record<string, unknown>;
      out.digest = {};
      for (const k of Object.keys(digest)) if (!['enabled', 'hour'].includes(k)) errors.push({ field: `digest.${k.slice(0, 64)}`, code: 'unknown_property', message: 'Unknown property' });
      if ('enabled' in digest) {
        if (typeof digest.enabled === 'boolean') out.digest.enabled = digest.enabled;
        else errors.push({ field: 'digest.enabled', code: 'type', message: 'true or false' });
      }
      if ('hour' in digest) {
        if (Number.isInteger(digest.hour) && (digest.hour as number) >= 0 && (digest.hour as number) <= 23) out.digest.hour = digest.hour as number;
        else errors.push({ field: 'digest.hour', code: 'out_of_range', message: 'A whole hour from 0 to 23 (local time)' });
      }
    }
  }
  if (errors.length) throw validationFailed(errors);
  return out;
}

export async function saveNotificationSettings(args: { ctx: RecordContext; input: SettingsPatch }): Promise<NotificationSettings> {
  const current = await getNotificationSettings(args.ctx);
  const next: NotificationSettings = {
    inApp: args.input.inApp ?? current.inApp,
    email: args.input.email ?? current.email,
    digest: { ...current.digest, ...args.input.digest },
  };
  await sql`INSERT INTO activity_notification_settings (user_id, in_app, email, digest_enabled, digest_hour, updated_at)
    VALUES (${args.ctx.actor.userId}::uuid, ${next.inApp}, ${next.email}, ${next.digest.enabled}, ${next.digest.hour}, now())
    ON CONFLICT (user_id) DO UPDATE SET in_app = EXCLUDED.in_app, email = EXCLUDED.email, digest_enabled = EXCLUDED.digest_enabled,
      digest_hour = EXCLUDED.digest_hour, updated_at = EXCLUDED.updated_at`.execute(args.ctx.platform.db);
  return next;
}
