import { randomBytes } from 'node:crypto';
import { IANAZone } from 'luxon';
import { ruleViolation, validationFailed, type FieldError } from '../../../platform/errors.ts';
import type { BeforeSaveArgs, HookRegistry } from '../../../platform/records/hooks.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { DEFAULT_AVAILABILITY, formatAvailability, parseAvailability } from './availability.ts';

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Whole-number fields and their allowed range. */
const RANGES: Record<string, [number, number]> = {
  duration_minutes: [15, 480],
  buffer_minutes: [0, 240],
  min_notice_hours: [0, 720],
  max_days_ahead: [1, 365],
};

/** "30-minute Intro!" → "30-minute-intro-k3x9q": readable, and the suffix keeps it unguessable enough and unique in practice. */
export function slugFrom(name: string): string {
  const base = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  const suffix = randomBytes(4).toString('hex').slice(0, 6);
  return base ? `${base}-${suffix}` : `meet-${suffix}`;
}

async function ownerTimeZone(args: BeforeSaveArgs): Promise<string> {
  const owner = args.merged.owner;
  if (typeof owner !== 'string') return 'UTC';
  const user = await getRecord({ ctx: args.ctx, object: args.ctx.platform.registry.requireObject('user'), id: owner, fields: ['time_zone'] }).catch(() => undefined);
  const zone = user?.time_zone;
  return typeof zone === 'string' && IANAZone.isValidZone(zone) ? zone : 'UTC';
}

/** beforeSave of booking_link: slug, ranges, time zone and weekly hours, each refusal naming its field. */
export async function validateBookingLink(args: BeforeSaveArgs): Promise<void> {
  const { data, merged, operation } = args;
  const errors: FieldError[] = [];
  const touched = (f: string) => operation === 'create' || f in data;

  if (touched('slug')) {
    const slug = typeof merged.slug === 'string' ? merged.slug.trim().toLowerCase() : '';
    if (!slug) data.slug = slugFrom(String(merged.name ?? ''));
    else if (!SLUG_RE.test(slug)) errors.push({ field: 'slug', code: 'invalid_slug', message: 'Use 1–64 lower-case letters, digits and dashes, not starting or ending with a dash' });
    else data.slug = slug;
  }
  for (const [f, [min, max]] of Object.entries(RANGES)) {
    if (!touched(f)) continue;
    const v = merged[f];
    if (v === null || v === undefined) {
      if (f === 'duration_minutes') errors.push({ field: f, code: 'required', message: 'Is required' });
      continue;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) errors.push({ field: f, code: 'out_of_range', message: `Must be a whole number from ${min} to ${max}` });
  }
  if (touched('time_zone')) {
    const zone = typeof merged.time_zone === 'string' ? merged.time_zone.trim() : '';
    if (!zone) data.time_zone = await ownerTimeZone(args);
    else if (!IANAZone.isValidZone(zone)) errors.push({ field: 'time_zone', code: 'invalid_time_zone', message: `'${zone.slice(0, 60)}' is not an IANA time zone (e.g. Europe/Berlin)` });
  }
  if (touched('availability')) {
    const text = typeof merged.availability === 'string' && merged.availability.trim() ? merged.availability : DEFAULT_AVAILABILITY;
    const parsed = parseAvailability(text);
    if (!parsed.ok) errors.push({ field: 'availability', code: 'invalid_availability', message: parsed.message });
    else data.availability = formatAvailability(parsed.hours);
  }
  if (touched('active') && (merged.active === null || merged.active === undefined)) data.active = true;
  if (errors.length) throw validationFailed(errors);
}

/**
 * A scheduling link books into its owner's calendar and publishes their free time: only the owner
 * (or an administrator, or Meridian itself) may create one for a user or hand it to another user
 * (issue 18, item 10). Otherwise rep A could publish rep B's busy times and let strangers book B.
 */
export function refuseLinksForOthers({ ctx, operation, data, previous }: BeforeSaveArgs): void {
  if (ctx.actor.isAdmin || !ctx.actor.userId) return;
  const owner = operation === 'create' ? (data.owner ?? ctx.actor.userId) : 'owner' in data ? data.owner : previous?.owner;
  if (owner !== ctx.actor.userId) {
    throw ruleViolation([{ field: 'owner', code: 'not_yours', message: 'A scheduling link books into its owner\'s calendar: you can only create or keep links for yourself' }]);
  }
}

export function registerSchedulingHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'activities.bookingLinkOwner', object: 'booking_link', operations: ['create', 'update'], run: refuseLinksForOthers });
  hooks.register('beforeSave', { name: 'activities.bookingLink', object: 'booking_link', operations: ['create', 'update'], run: validateBookingLink });
}
