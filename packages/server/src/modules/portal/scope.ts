import { notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import type { RecordContext } from '../../platform/records/context.ts';
import type { ApiRecord } from '../../platform/records/hooks.ts';
import { listRecords } from '../../platform/records/read.ts';
import { UUID_RE } from '../../platform/records/values.ts';
import { isBlank, readRecord } from '../billing/index.ts';
import { portalActor } from './signin.ts';

/**
 * What a signed-in contact may see: the one function every portal read goes through.
 *
 * The allowed account set is the contact's account, plus — when that account's
 * `portal_includes_children` is set — every account below it (parent_account, any depth). Every
 * list and every read of a portal route passes `scopeCondition` into the record service's query,
 * so a record outside the set is never loaded: its id answers 404 exactly like an unknown one.
 */
export interface PortalScope {
  contactId: string;
  /** The contact's own account (profile changes apply to it). */
  accountId: string;
  /** The contact's account first, then its descendants when allowed. */
  accountIds: string[];
}

const MAX_DEPTH = 20;

export function portalContext(platform: Platform): RecordContext {
  return { platform, actor: portalActor() };
}

export async function portalScope(platform: Platform, contactId: string): Promise<PortalScope> {
  const ctx = portalContext(platform);
  const contact = await readRecord(ctx, 'contact', contactId, ['account']);
  if (isBlank(contact.account)) throw notFound('Account');
  const accountId = String(contact.account);
  const account = await readRecord(ctx, 'account', accountId, ['portal_includes_children']);
  const accountIds = [accountId];
  if (account.portal_includes_children === true) {
    const seen = new Set(accountIds);
    let frontier = [accountId];
    const object = platform.registry.requireObject('account');
    for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
      const next: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listRecords({ ctx, object, filter: { field: 'parent_account', op: 'in', value: frontier }, fields: ['id'], limit: 200, ...(cursor ? { cursor } : {}) });
        for (const a of page.data) if (!seen.has(a.id)) (seen.add(a.id), next.push(a.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      accountIds.push(...next);
      frontier = next;
    }
  }
  return { contactId, accountId, accountIds };
}

/** The condition "this record's account (or the account at `path`) is in the contact's set". */
export function scopeCondition(scope: PortalScope, path = 'account'): Record<string, unknown> {
  return { field: path, op: 'in', value: scope.accountIds };
}

const and = (...conditions: Array<Record<string, unknown> | undefined>) => {
  const list = conditions.filter((c): c is Record<string, unknown> => Boolean(c));
  return list.length === 1 ? list[0] : { and: list };
};

export interface ScopedListArgs {
  object: string;
  filter?: Record<string, unknown>;
  sort?: string;
  fields?: string[];
  limit?: number;
  /** The path from the object to its account (`payment.account` for an allocation). */
  path?: string;
}

/** A list constrained to the contact's accounts (all pages up to `limit` records). */
export async function scopedList(platform: Platform, scope: PortalScope, args: ScopedListArgs): Promise<ApiRecord[]> {
  const object = platform.registry.requireObject(args.object);
  const filter = and(scopeCondition(scope, args.path), args.filter);
  const out: ApiRecord[] = [];
  const max = args.limit ?? 1000;
  let cursor: string | undefined;
  do {
    const page = await listRecords({ ctx: portalContext(platform), object, filter, limit: Math.min(200, max - out.length), ...(args.sort ? { sort: args.sort } : {}), ...(args.fields ? { fields: args.fields } : {}), ...(cursor ? { cursor } : {}) });
    out.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/** One keyset page of the contact's records (the cursor is listRecords' signed one: it cannot be forged or moved to another query). */
export async function scopedPage(platform: Platform, scope: PortalScope, args: ScopedListArgs & { limit: number; cursor?: string }): Promise<{ data: ApiRecord[]; nextCursor: string | null }> {
  const object = platform.registry.requireObject(args.object);
  const filter = and(scopeCondition(scope, args.path), args.filter);
  return listRecords({ ctx: portalContext(platform), object, filter, limit: args.limit, ...(args.sort ? { sort: args.sort } : {}), ...(args.fields ? { fields: args.fields } : {}), ...(args.cursor ? { cursor: args.cursor } : {}) });
}

/** One record, only when it belongs to the contact's accounts; otherwise 404 (unknown, malformed and foreign ids alike). */
export async function scopedGet(platform: Platform, scope: PortalScope, args: { object: string; id: string; fields?: string[]; path?: string; filter?: Record<string, unknown>; what: string }): Promise<ApiRecord> {
  if (!UUID_RE.test(args.id)) throw notFound(args.what);
  const rows = await scopedList(platform, scope, { object: args.object, filter: and({ field: 'id', op: 'eq', value: args.id }, args.filter), limit: 1, ...(args.fields ? { fields: args.fields } : {}), ...(args.path ? { path: args.path } : {}) });
  if (!rows[0]) throw notFound(args.what);
  return rows[0];
}
