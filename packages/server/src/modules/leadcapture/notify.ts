import { asSystem, type TxContext } from '../../platform/records/context.ts';
import type { ApiRecord } from '../../platform/records/hooks.ts';
import { notifyUser, markNotificationEmailed, pingNotificationStreams } from '../../platform/notifications/store.ts';
import { sendMail } from '../../platform/mail.ts';
import { readRecord } from '../billing/index.ts';
import { configuredSmsProvider } from '../automation/index.ts';

const leadName = (lead: ApiRecord) => String(lead.full_name ?? lead.last_name ?? 'A lead') + (lead.company ? ` (${String(lead.company)})` : '');

/**
 * Speed to lead (issue 14 item 10): the moment a lead gets an owner, the owner is told — in-app
 * in the same transaction (the bell and the live stream), by e-mail right after the commit when
 * SMTP is set up, and by text message when the installation has an SMS gateway and the owner a
 * phone number. `occurrence` keeps one notification per assignment even if a hook runs twice.
 */
export async function notifyAssignedOwner(ctx: TxContext, lead: ApiRecord, occurrence: string, kind = 'lead.assigned', prefix = 'New lead'): Promise<void> {
  const userId = String(lead.owner);
  const title = `${prefix}: ${leadName(lead)}`;
  const lines = [lead.email && `E-mail: ${String(lead.email)}`, lead.phone && `Phone: ${String(lead.phone)}`, lead.source && `Source: ${String(lead.source)}`].filter(Boolean) as string[];
  const body = lines.length ? lines.join(' · ') : 'Contact them now: the first minutes count.';
  const id = await notifyUser(ctx.trx, { userId, kind, object: 'lead', recordId: lead.id, occurrence, title, body, data: { source: lead.source ?? null } });
  if (!id) return;
  const owner = await readRecord(asSystem(ctx), 'user', userId, ['email', 'phone']).catch(() => null);
  const platform = ctx.platform;
  ctx.uow.afterCommit(async () => {
    await pingNotificationStreams(platform.db);
    const url = `${platform.config.publicUrl}/o/lead/${lead.id}`;
    const sms = configuredSmsProvider(platform);
    if (sms && owner?.phone) {
      // The title and the link only: the lead's contact details stay out of the text message.
      await sms.send(platform, { to: String(owner.phone), text: `${title} — ${url}` })
        .catch((error) => platform.logger.warn({ err: error, lead: lead.id }, 'could not text the lead owner'));
    }
    if (!owner?.email) return;
    const sent = await sendMail(platform, { to: String(owner.email), subject: title, text: `${body}\n\n${url}\n` })
      .catch((error) => platform.logger.warn({ err: error, lead: lead.id }, 'could not e-mail the lead owner'));
    if (sent) await markNotificationEmailed(platform.db, id);
  });
}
