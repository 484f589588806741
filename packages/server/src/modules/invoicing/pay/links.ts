import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import type { Platform } from '../../../platform/kernel.ts';
import type { TxContext } from '../../../platform/records/context.ts';

/**
 * The pay link of a posted invoice (`/pay/<token>`): 192 random bits, one link per invoice, made
 * when it is posted. Unlike a quote link (which can accept a quote, so only its hash is kept)
 * the token is stored as it is: it opens a read-only page of an invoice the customer already
 * holds, and it is printed on every copy of the PDF (as text and as a QR code), so it must be
 * readable again. Revoking it (revoked_at) makes the page a 404 like an unknown token.
 */
const TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

export function isWellFormedPayToken(token: string): boolean {
  return TOKEN_RE.test(token);
}

export function payLinkUrl(platform: Platform, token: string): string {
  return `${platform.config.publicUrl}/pay/${token}`;
}

/** The invoice's pay link, made on first use (posting). */
export async function ensurePayLink(ctx: TxContext, invoiceId: string): Promise<string> {
  await ensurePayLinks(ctx, [invoiceId]);
  const r = await sql<{ token: string }>`SELECT token FROM invoicing_pay_link WHERE invoice_id = ${invoiceId}::uuid`.execute(ctx.trx);
  return r.rows[0]!.token;
}

/** ensurePayLink for many invoices posted together (the monthly run), with one statement; the tokens are not read back. */
export async function ensurePayLinks(ctx: TxContext, invoiceIds: string[]): Promise<void> {
  if (!invoiceIds.length) return;
  await sql`INSERT INTO invoicing_pay_link (id, invoice_id, token)
    SELECT * FROM unnest(${invoiceIds.map(() => uuidv7())}::uuid[], ${invoiceIds}::uuid[], ${invoiceIds.map(() => randomBytes(24).toString('base64url'))}::text[])
    ON CONFLICT (invoice_id) DO NOTHING`.execute(ctx.trx);
}

/** The pay link of an invoice if it has a live one (an invoice posted before links existed, or a credit note, has none). */
export async function payLinkOf(ctx: { trx?: TxContext['trx']; platform: Platform }, invoiceId: string): Promise<string | null> {
  const r = await sql<{ token: string }>`SELECT token FROM invoicing_pay_link WHERE invoice_id = ${invoiceId}::uuid AND revoked_at IS NULL`.execute(ctx.trx ?? ctx.platform.db);
  return r.rows[0] ? payLinkUrl(ctx.platform, r.rows[0].token) : null;
}

/** The invoice behind a token; unknown, malformed and revoked tokens alike answer null. */
export async function invoiceOfToken(platform: Platform, token: string): Promise<string | null> {
  if (!isWellFormedPayToken(token)) return null;
  const r = await sql<{ invoice_id: string }>`SELECT invoice_id FROM invoicing_pay_link WHERE token = ${token} AND revoked_at IS NULL`.execute(platform.db);
  return r.rows[0]?.invoice_id ?? null;
}
