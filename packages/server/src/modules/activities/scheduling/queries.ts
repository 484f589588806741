import { DateTime } from 'luxon';
import { badRequest } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { getAgenda } from '../queries/agenda.ts';
import { hostActor, loadPublicLink, type PublicLink } from './link.ts';
import { candidateSlots, withoutBusy, type Interval } from './slots.ts';

export const SLOTS_MAX_DAYS = 31;
/** A meeting or call without an end blocks this long. */
const OPEN_ENDED_MINUTES = 30;

/** The booking page's header: only what the host chose to publish. */
export async function getBookingPage(args: { platform: Platform; slug: string }) {
  const link = await loadPublicLink(args.platform, args.slug);
  return {
    name: link.name,
    description: link.description,
    durationMinutes: link.rules.durationMinutes,
    timeZone: link.rules.timeZone,
    hostName: link.host.name,
    location: link.location,
  };
}

export function parseSlotWindow(q: { from?: string; to?: string }): { from: string; to: string } {
  const date = (value: string | undefined, field: string) => {
    if (!value) throw badRequest(`${field} is required`, [{ field, code: 'required', message: 'A date as YYYY-MM-DD' }]);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value).isValid) throw badRequest(`${field} is not a date`, [{ field, code: 'invalid_date', message: 'A date as YYYY-MM-DD' }]);
    return value;
  };
  const from = date(q.from, 'from');
  const to = date(q.to, 'to');
  const days = DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days + 1;
  if (days < 1 || days > SLOTS_MAX_DAYS) throw badRequest(`to must be on or after from, at most ${SLOTS_MAX_DAYS} days in all`, [{ field: 'to', code: 'out_of_range', message: `On or after from, at most ${SLOTS_MAX_DAYS} days in all` }]);
  return { from, to };
}

/** The host's meetings and calls that overlap [from, to), recurring ones expanded, cancelled ones left out. */
async function busyTime(ctx: RecordContext, from: Date, to: Date): Promise<Interval[]> {
  const items = await getAgenda({ ctx, from, to });
  return items
    .filter((o) => o.object !== 'task' && o.status !== 'cancelled' && o.start)
    .map((o) => {
      const start = new Date(o.start!);
      return { start, end: o.end ? new Date(o.end) : new Date(start.getTime() + OPEN_ENDED_MINUTES * 60_000) };
    });
}

/**
 * Offered and free slots of a link on local dates [from, to]. `ctx` is the host's (hostActor),
 * possibly inside the booking's transaction so the check sees what was just committed.
 */
export async function slotsOf(ctx: RecordContext, link: PublicLink, from: string, to: string, now: Date): Promise<{ offered: Interval[]; free: Interval[] }> {
  const offered = candidateSlots(link.rules, from, to, now);
  if (!offered.length) return { offered, free: [] };
  const pad = (link.bufferMinutes + OPEN_ENDED_MINUTES) * 60_000;
  const busy = await busyTime(ctx, new Date(offered[0]!.start.getTime() - pad), new Date(offered[offered.length - 1]!.end.getTime() + pad));
  return { offered, free: withoutBusy(offered, busy, link.bufferMinutes) };
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

/** GET …/slots: the free slots in UTC. */
export async function getFreeSlots(args: { platform: Platform; slug: string; window: { from: string; to: string }; now?: Date }) {
  await args.platform.registry.ensureFresh();
  const link = await loadPublicLink(args.platform, args.slug);
  const ctx: RecordContext = { platform: args.platform, actor: hostActor(link) };
  const { free } = await slotsOf(ctx, link, args.window.from, args.window.to, args.now ?? new Date());
  return { timeZone: link.rules.timeZone, durationMinutes: link.rules.durationMinutes, data: free.map((s) => ({ start: iso(s.start), end: iso(s.end) })) };
}
