import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { RecordContext } from '../../../../platform/records/context.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { listRecords, MAX_PAGE_SIZE } from '../../../../platform/records/read.ts';
import { isBlank, readRecord, roundingPolicy } from '../../context.ts';
import { billingSettings } from '../../settings.ts';
import { readDocumentLines } from '../../documents/create.ts';
import type { DocumentKind } from '../../documents/kind.ts';
import { QUOTE } from '../recalculate.ts';
import type { QuoteDocumentInput } from './build.ts';

/**
 * Reads what a quote document is made of, as the context's actor: the quote (a 404 when they
 * cannot see it), its lines, the names of its products and units, the account, the contact and
 * who prepared it. Related records the actor cannot see are left out rather than refusing the
 * whole document (the quote's own fields are what it is about).
 */
export function readQuoteDocumentInput(ctx: RecordContext, id: string): Promise<QuoteDocumentInput> {
  return readDocumentInput(ctx, QUOTE, id);
}

/** The same for any priced document (an invoice's PDF reads its header and lines this way); `quote` holds the header. */
export async function readDocumentInput(ctx: RecordContext, kind: DocumentKind, id: string): Promise<QuoteDocumentInput> {
  const quote = await readRecord(ctx, kind.header, id);
  const lines = await readDocumentLines(ctx, kind, quote.id);
  const optional = (object: string, ref: unknown, fields?: string[]) => (isBlank(ref) ? Promise.resolve(null) : readRecord(ctx, object, String(ref), fields).catch(() => null));
  const account = await optional('account', quote.account);
  const contact = await optional('contact', quote.contact);
  const owner = await optional('user', quote.owner, ['full_name', 'email']);
  const names = new Map<string, string>([
    ...(await namesOf(ctx, 'product', lines.map((l) => l.product))),
    ...(await namesOf(ctx, 'unit_of_measure', lines.map((l) => l.unit_of_measure))),
  ]);
  const settings = billingSettings.of(ctx.platform);
  const text = (v: unknown) => (isBlank(v) ? null : String(v));
  return {
    quote, lines, names, account, contact,
    organisation: { name: settings.companyName, address: settings.companyAddress, logo: await readLogo(settings.companyLogo) },
    preparedBy: owner && text(owner.full_name) ? { name: String(owner.full_name), email: text(owner.email) } : null,
    locale: documentLocale(ctx, { contact, account }),
    timeZone: ctx.actor.timeZone || 'UTC',
    rounding: roundingPolicy(ctx.platform),
  };
}

/** The customer's language for documents and e-mails: the contact's, the account's, the organisation's, else en-US. */
export function documentLocale(ctx: RecordContext, who: { contact?: ApiRecord | null; account?: ApiRecord | null }): string {
  const text = (v: unknown) => (isBlank(v) ? null : String(v));
  return text(who.contact?.document_locale) ?? text(who.account?.document_locale) ?? billingSettings.of(ctx.platform).documentLocale ?? 'en-US';
}

/** Display names of the referenced records the actor may read, in pages of the record API's size. */
async function namesOf(ctx: RecordContext, object: string, refs: unknown[]): Promise<Array<[string, string]>> {
  const ids = [...new Set(refs.filter((r) => !isBlank(r)).map(String))];
  const definition = ctx.platform.registry.requireObject(object);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < ids.length; i += MAX_PAGE_SIZE) {
    const chunk = ids.slice(i, i + MAX_PAGE_SIZE);
    const page = await listRecords({ ctx, object: definition, fields: ['name'], limit: MAX_PAGE_SIZE, where: sql<boolean>`t0.id = ANY(${chunk}::uuid[])` }).catch(() => ({ data: [] as ApiRecord[] }));
    for (const r of page.data) if (!isBlank(r.name)) out.push([r.id, String(r.name)]);
  }
  return out;
}

/** The configured logo's bytes; a file gone since start-up prints the document without it. */
async function readLogo(path: string | undefined): Promise<Buffer | null> {
  if (!path) return null;
  return readFile(path).catch(() => null);
}
