import { sql } from 'kysely';
import { uuidv7 } from '../../../../platform/ids.ts';
import { notFound } from '../../../../platform/errors.ts';
import type { Platform } from '../../../../platform/kernel.ts';
import { inTransaction, type Actor, type RecordContext } from '../../../../platform/records/context.ts';
import { loadForUpdate } from '../../../../platform/records/write.ts';
import { isBlank, readRecord, refuse } from '../../context.ts';
import { billingSettings } from '../../settings.ts';
import { runQuoteCommand } from '../commands/common.ts';
import { hashLinkToken, isWellFormedToken, newLinkToken } from './tokens.ts';

export interface QuoteLinkInfo {
  id: string;
  contact: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  firstOpenedAt: string | null;
  lastOpenedAt: string | null;
  openCount: number;
  active: boolean;
}

/** The answer to creating a link: the only time the token is shown. */
export interface NewQuoteLink extends QuoteLinkInfo {
  url: string;
}

interface LinkRow {
  id: string;
  quote_id: string;
  contact_id: string | null;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  first_opened_at: Date | null;
  last_opened_at: Date | null;
  open_count: number;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function present(row: LinkRow): QuoteLinkInfo {
  const expiresAt = iso(row.expires_at)!;
  return {
    id: row.id, contact: row.contact_id, createdAt: iso(row.created_at)!, expiresAt, revokedAt: iso(row.revoked_at),
    firstOpenedAt: iso(row.first_opened_at), lastOpenedAt: iso(row.last_opened_at), openCount: Number(row.open_count),
    active: !row.revoked_at && new Date(expiresAt).getTime() > Date.now(),
  };
}

/** Where the customer opens a quote: the web app's public page. */
export function quoteLinkUrl(platform: Platform, token: string): string {
  return `${platform.config.publicUrl}/q/${token}`;
}

/**
 * A link to the online quote for one contact (the quote's contact by default), valid for
 * `expiresInDays` (the organisation's default otherwise). Sharing needs edit access to the quote,
 * and the quote must be out (sent, viewed) or accepted (the customer's copy of the sealed PDF).
 */
export async function createQuoteLink(args: { ctx: RecordContext; id: string; contact?: string | null; expiresInDays?: number }): Promise<NewQuoteLink> {
  const days = args.expiresInDays ?? billingSettings.of(args.ctx.platform).quoteLinkDays;
  return runQuoteCommand({
    ctx: args.ctx, id: args.id, command: 'share',
    async run(ctx, quote) {
      const contact = args.contact === undefined ? (isBlank(quote.contact) ? null : String(quote.contact)) : args.contact;
      if (contact) {
        // The contact must be one the sharer can see: a forged id is refused like an unknown one.
        await readRecord(ctx, 'contact', contact, ['id']).catch(() => refuse('contact', 'not_found', 'No such contact'));
      }
      const token = newLinkToken();
      const r = await sql<LinkRow>`INSERT INTO billing_quote_link (id, quote_id, contact_id, token_hash, created_by, expires_at)
        VALUES (${uuidv7()}, ${quote.id}::uuid, ${contact}::uuid, ${hashLinkToken(token)}, ${ctx.actor.userId}::uuid, now() + make_interval(days => ${days}))
        RETURNING *`.execute(ctx.trx);
      return { ...present(r.rows[0]!), url: quoteLinkUrl(ctx.platform, token) };
    },
  });
}

/** The quote's links, newest first, without tokens (they are not stored). */
export async function listQuoteLinks(args: { ctx: RecordContext; id: string }): Promise<QuoteLinkInfo[]> {
  return inTransaction(args.ctx, async (ctx) => {
    await readRecord(ctx, 'quote', args.id, ['id']);
    const r = await sql<LinkRow>`SELECT * FROM billing_quote_link WHERE quote_id = ${args.id}::uuid ORDER BY created_at DESC, id DESC`.execute(ctx.trx);
    return r.rows.map(present);
  });
}

/** Stops a link at once; the customer then sees the same page as for an unknown link. */
export async function revokeQuoteLink(args: { ctx: RecordContext; id: string; linkId: string }): Promise<QuoteLinkInfo> {
  return inTransaction(args.ctx, async (ctx) => {
    // Edit access to the quote, whatever its status: a link can always be taken back.
    const object = ctx.platform.registry.requireObject('quote');
    await loadForUpdate(ctx, object, args.id, { mode: 'edit' });
    const r = await sql<LinkRow>`UPDATE billing_quote_link SET revoked_at = COALESCE(revoked_at, now())
      WHERE id = ${args.linkId}::uuid AND quote_id = ${args.id}::uuid RETURNING *`.execute(ctx.trx);
    if (!r.rows[0]) throw notFound('Quote link');
    return present(r.rows[0]);
  });
}

export interface OpenedLink {
  linkId: string;
  quoteId: string;
  contactId: string | null;
  firstOpen: boolean;
  /** Acts for the quote's owner: what the customer does is recorded as done through the link. */
  actor: Actor;
}

/**
 * The link behind a token, counted as opened. Unknown, malformed, expired and revoked tokens are
 * one and the same 404, so a guess learns nothing. Reads billing's own table: the visitor has no
 * actor until the link names the quote's owner.
 */
export async function openQuoteLink(args: { platform: Platform; token: string; count?: boolean }): Promise<OpenedLink> {
  const { platform, token } = args;
  if (!isWellFormedToken(token)) throw notFound('Quote');
  const quotes = sql.table(platform.registry.requireObject('quote').table);
  const users = sql.table(platform.registry.requireObject('user').table);
  const r = await sql<{ id: string; quote_id: string; contact_id: string | null; first_opened_at: Date | null; owner_id: string | null; time_zone: string | null; locale: string | null }>`
    SELECT l.id, l.quote_id, l.contact_id, l.first_opened_at, q.owner_id, u.time_zone, u.locale
    FROM billing_quote_link l JOIN ${quotes} q ON q.id = l.quote_id AND q.deleted_at IS NULL
      LEFT JOIN ${users} u ON u.id = q.owner_id
    WHERE l.token_hash = ${hashLinkToken(token)} AND l.revoked_at IS NULL AND l.expires_at > now()`.execute(platform.db);
  const row = r.rows[0];
  if (!row) throw notFound('Quote');
  if (args.count !== false) {
    await sql`UPDATE billing_quote_link SET open_count = open_count + 1, last_opened_at = now(),
      first_opened_at = COALESCE(first_opened_at, now()) WHERE id = ${row.id}::uuid`.execute(platform.db);
  }
  return {
    linkId: row.id, quoteId: row.quote_id, contactId: row.contact_id, firstOpen: !row.first_opened_at,
    actor: { userId: row.owner_id, isAdmin: true, via: 'system', timeZone: row.time_zone || 'UTC', locale: row.locale || 'en-US' },
  };
}
