import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { AppError, badRequest } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { listRecords } from '../../../platform/records/read.ts';
import { createRecord } from '../../../platform/records/write.ts';
import type { BookingInput } from './input.ts';
import { hostActor, loadPublicLink, type PublicLink } from './link.ts';
import { sendBookingMails } from './mail.ts';
import { slotsOf } from './queries.ts';

export const slotTaken = () =>
  new AppError('conflict', 'This time was just booked by someone else; pick another slot', { errors: [{ field: 'start', code: 'slot_taken', message: 'No longer free' }], extra: { code: 'slot_taken' } });

/** An existing contact with this e-mail (any letter case, oldest first), else a new one owned by the host. */
async function contactFor(ctx: TxContext, input: BookingInput): Promise<string> {
  const contact = ctx.platform.registry.requireObject('contact');
  const email = contact.fields.find((f) => f.apiName === 'email')!;
  const found = await listRecords({ ctx, object: contact, fields: ['id'], sort: 'created_at', limit: 1, where: sql<boolean>`lower(${sql.ref(`t0.${email.column}`)}) = ${input.email}` });
  if (found.data[0]) return found.data[0].id;
  const space = input.name.lastIndexOf(' ');
  const firstName = space > 0 ? input.name.slice(0, space) : null;
  const lastName = space > 0 ? input.name.slice(space + 1) : input.name;
  // Same-name contacts with other e-mails are different people here: the e-mail decided.
  const created = await createRecord({ ctx, object: contact, input: { first_name: firstName, last_name: lastName, email: input.email, description: 'Booked a meeting through a scheduling link' }, options: { allowDuplicate: true } });
  return created.id;
}

/**
 * POST /public/booking/{slug}: one transaction under an advisory lock per host, so of two
 * visitors racing for a slot exactly one wins: the slot is re-checked inside the lock against
 * the host's calendar as committed by then. E-mails go out after the commit.
 */
export async function bookSlot(args: { platform: Platform; slug: string; input: BookingInput; now?: Date }): Promise<{ start: string; end: string }> {
  const { platform, input } = args;
  await platform.registry.ensureFresh();
  const now = args.now ?? new Date();
  const link = await loadPublicLink(platform, args.slug);
  const ctx: RecordContext = { platform, actor: hostActor(link) };
  const day = DateTime.fromJSDate(input.start, { zone: link.rules.timeZone });
  const meeting = await inTransaction(ctx, async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`meridian.booking:${link.host.id}`}))`.execute(tx.trx);
    const fresh = await loadPublicLink(platform, args.slug, tx.trx);
    const { offered, free } = await slotsOf(tx, fresh, day.minus({ days: 1 }).toISODate()!, day.plus({ days: 1 }).toISODate()!, now);
    const same = (s: { start: Date }) => s.start.getTime() === input.start.getTime();
    if (!offered.some(same)) throw badRequest('This time is not one of the offered slots', [{ field: 'start', code: 'not_a_slot', message: 'Pick a start from the slots list' }]);
    if (!free.some(same)) throw slotTaken();
    return bookInTransaction(tx, fresh, input);
  });
  sendBookingMails(platform, link, input, meeting).catch((error) => platform.logger.error({ err: error }, 'could not send the booking e-mails'));
  return { start: meeting.start.toISOString().replace('.000Z', 'Z'), end: meeting.end.toISOString().replace('.000Z', 'Z') };
}

async function bookInTransaction(tx: TxContext, link: PublicLink, input: BookingInput) {
  const contactId = await contactFor(tx, input);
  const end = new Date(input.start.getTime() + link.rules.durationMinutes * 60_000);
  const description = [`Booked through "${link.name}" by ${input.name} <${input.email}>.`, input.note ? `\nNote from ${input.name}:\n${input.note}` : ''].join('');
  const record = await createRecord({
    ctx: tx,
    object: tx.platform.registry.requireObject('meeting'),
    input: {
      subject: `${link.name} with ${input.name}`.slice(0, 255),
      start_at: input.start.toISOString(),
      end_at: end.toISOString(),
      time_zone: link.rules.timeZone,
      status: 'scheduled',
      contact: contactId,
      description,
      reminder_minutes: 15,
      ...(link.location ? { location: link.location } : {}),
    },
  });
  return { id: record.id, start: input.start, end, contactId };
}
