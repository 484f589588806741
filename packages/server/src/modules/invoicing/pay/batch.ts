import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import { payLinkUrl } from './links.ts';

/** The live pay links of many invoices at once (a payment reminder lists an account's overdue invoices): invoice id → URL; invoices without one are absent. */
export async function payLinksOf(ctx: { trx?: TxContext['trx']; platform: Platform }, invoiceIds: readonly string[]): Promise<Map<string, string>> {
  if (!invoiceIds.length) return new Map();
  const r = await sql<{ invoice_id: string; token: string }>`SELECT invoice_id, token FROM invoicing_pay_link WHERE invoice_id = ANY(${[...invoiceIds]}::uuid[]) AND revoked_at IS NULL`.execute(ctx.trx ?? ctx.platform.db);
  return new Map(r.rows.map((row) => [row.invoice_id, payLinkUrl(ctx.platform, row.token)]));
}
