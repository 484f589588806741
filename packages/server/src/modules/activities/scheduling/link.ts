import { sql } from 'kysely';
import { notFound } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import type { Actor, RecordContext } from '../../../platform/records/context.ts';
import { parseAvailability } from './availability.ts';
import { SLUG_RE } from './rules.ts';
import type { SlotRules } from './slots.ts';

/** What the public endpoints need of a link and its host; never handed out as a whole. */
export interface PublicLink {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  location: string | null;
  bufferMinutes: number;
  rules: SlotRules;
  host: { id: string; name: string; email: string; locale: string };
}

interface Row {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  location: string | null;
  duration_minutes: string | number;
  time_zone: string | null;
  availability: string | null;
  buffer_minutes: string | number | null;
  min_notice_hours: string | number | null;
  max_days_ahead: string | number | null;
  host_id: string;
  host_name: string | null;
  host_email: string;
  host_locale: string | null;
}

/**
 * An active link of an active host by slug, read from the module's own table (the visitor has no
 * actor, so this is outside the record pipeline): unknown, inactive, deleted → 404 alike.
 */
export async function loadPublicLink(platform: Platform, slug: string, db: RecordContext['trx'] = undefined): Promise<PublicLink> {
  const wanted = slug.toLowerCase();
  if (!SLUG_RE.test(wanted)) throw notFound('Booking link');
  const link = platform.registry.requireObject('booking_link');
  const user = platform.registry.requireObject('user');
  const r = await sql<Row>`SELECT l.id, l.name, l.slug, l.description, l.location, l.duration_minutes, l.time_zone, l.availability,
      l.buffer_minutes, l.min_notice_hours, l.max_days_ahead, u.id AS host_id, u.full_name AS host_name, u.email AS host_email, u.locale AS host_locale
    FROM ${sql.table(link.table)} l JOIN ${sql.table(user.table)} u ON u.id = l.owner_id AND u.deleted_at IS NULL AND u.active IS NOT FALSE
    WHERE l.slug = ${wanted} AND l.active IS TRUE AND l.deleted_at IS NULL`.execute(db ?? platform.db);
  const row = r.rows[0];
  const hours = row?.availability ? parseAvailability(row.availability) : undefined;
  if (!row || !hours?.ok) throw notFound('Booking link');
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    location: row.location,
    bufferMinutes: Number(row.buffer_minutes ?? 0),
    rules: {
      timeZone: row.time_zone || 'UTC',
      hours: hours.hours,
      durationMinutes: Number(row.duration_minutes),
      minNoticeHours: Number(row.min_notice_hours ?? 0),
      maxDaysAhead: Number(row.max_days_ahead ?? 30),
    },
    host: { id: row.host_id, name: row.host_name?.trim() || 'Your host', email: row.host_email, locale: row.host_locale || 'en-US' },
  };
}

/**
 * Acts for the host without a session: the whole of the host's calendar counts as busy (whatever
 * the host's profile hides), and what is booked is owned and created by the host. The channel
 * `system` marks these writes in field history.
 */
export function hostActor(link: PublicLink): Actor {
  return { userId: link.host.id, isAdmin: true, via: 'system', timeZone: link.rules.timeZone, locale: link.host.locale };
}
