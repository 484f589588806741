import type { TxContext } from '../../../../platform/records/context.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { notifyUser, pingNotificationStreams } from '../../../../platform/notifications/store.ts';
import { sendMail } from '../../../../platform/mail.ts';
import { isBlank, readRecord } from '../../context.ts';

export type QuoteNews = 'viewed' | 'accepted' | 'declined';

const TITLES: Record<QuoteNews, (q: string, who: string) => string> = {
  viewed: (q, who) => `${who} opened quote ${q}`,
  accepted: (q, who) => `${who} accepted quote ${q}`,
  declined: (q, who) => `${who} declined quote ${q}`,
};

/**
 * Tells the quote's owner at once what the customer did on the online quote: in-app in the same
 * transaction (written once per quote and kind), by e-mail after the commit when SMTP is set up.
 */
export async function notifyQuoteOwner(ctx: TxContext, args: { quote: ApiRecord; news: QuoteNews; who: string; detail: string }): Promise<void> {
  const { quote, news } = args;
  if (isBlank(quote.owner)) return;
  const title = TITLES[news](String(quote.name), args.who);
  const id = await notifyUser(ctx.trx, {
    userId: String(quote.owner), kind: `quote.${news}`, object: 'quote', recordId: quote.id, occurrence: String(quote.revision ?? 1),
    title, body: args.detail, data: { number: quote.number, revision: quote.revision },
  });
  if (!id) return;
  const owner = await readRecord(ctx, 'user', String(quote.owner), ['email', 'full_name']).catch(() => null);
  const platform = ctx.platform;
  ctx.uow.afterCommit(async () => {
    await pingNotificationStreams(platform.db);
    if (!owner?.email) return;
    const url = `${platform.config.publicUrl}/o/quote/${quote.id}`;
    await sendMail(platform, { to: String(owner.email), subject: title, text: `${args.detail}\n\n${url}\n` })
      .catch((error) => platform.logger.warn({ err: error, quote: quote.id }, 'could not e-mail the quote owner'));
  });
}
