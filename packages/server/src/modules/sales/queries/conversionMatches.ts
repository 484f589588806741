import { sql } from 'kysely';
import type { RecordContext } from '../../../platform/records/context.ts';
import { db, objectOf, tableOf, visibleTo } from '../context.ts';
import { normalizeCompanyName, normalizeEmail, webDomain } from '../domain/normalize.ts';
import { companyNameSql, lowerSql, webDomainSql } from '../duplicates/sql.ts';
import { findDuplicates } from '../duplicates/check.ts';
import { fuzzyNameRule } from '../duplicates/rules.ts';

export interface AccountMatch {
  id: string;
  name: string;
  website: string | null;
  rule: 'website_domain' | 'name' | 'similar_name';
  score: number;
}

export interface ContactMatch {
  id: string;
  name: string;
  email: string | null;
  account: string | null;
  rule: 'email';
  score: number;
}

/**
 * Existing records a lead may convert into (SAL-5): accounts by website domain, then by
 * normalised company name (both reused automatically), then similar names (suggestions only);
 * contacts by e-mail, case-insensitive. Only records the user may see are suggested or reused.
 */
export async function findConversionMatches(ctx: RecordContext, lead: Record<string, unknown>): Promise<{ accounts: AccountMatch[]; contacts: ContactMatch[] }> {
  const account = tableOf(ctx, 'account');
  const accounts: AccountMatch[] = [];
  const add = (rows: Array<{ id: string; name: string; website: string | null }>, rule: AccountMatch['rule'], score: number) => {
    for (const row of rows) if (!accounts.some((a) => a.id === row.id)) accounts.push({ ...row, rule, score });
  };
  const domain = webDomain(lead.website as string | null);
  if (domain) {
    const r = await sql<{ id: string; name: string; website: string | null }>`SELECT t.id, t.name, t.website FROM ${account} t
      WHERE ${webDomainSql(sql.ref('t.website'))} = ${domain} AND t.deleted_at IS NULL ${visibleTo(ctx, 'account', 't')} ORDER BY t.created_at LIMIT 5`.execute(db(ctx));
    add(r.rows, 'website_domain', 1);
  }
  const name = normalizeCompanyName(lead.company as string | null);
  if (name) {
    const r = await sql<{ id: string; name: string; website: string | null }>`SELECT t.id, t.name, t.website FROM ${account} t
      WHERE ${companyNameSql(sql.ref('t.name'))} = ${name} AND t.deleted_at IS NULL ${visibleTo(ctx, 'account', 't')} ORDER BY t.created_at LIMIT 5`.execute(db(ctx));
    add(r.rows, 'name', 0.95);
  }
  if (typeof lead.company === 'string' && lead.company.trim() && ctx.trx) {
    const similar = await findDuplicates({ ctx, object: objectOf(ctx, 'account'), rules: [fuzzyNameRule('name', 0.6)], record: { name: lead.company }, limit: 5 });
    const known = new Map<string, string | null>();
    if (similar.length) {
      const r = await sql<{ id: string; website: string | null }>`SELECT t.id, t.website FROM ${account} t WHERE t.id = ANY(${similar.map((s) => s.id)}::uuid[]) ${visibleTo(ctx, 'account', 't')}`.execute(db(ctx));
      for (const row of r.rows) known.set(row.id, row.website);
    }
    add(similar.filter((s) => known.has(s.id)).map((s) => ({ id: s.id, name: s.name ?? '', website: known.get(s.id) ?? null })), 'similar_name', 0);
    for (const a of accounts) if (a.rule === 'similar_name') a.score = similar.find((s) => s.id === a.id)!.score;
  }
  const contacts: ContactMatch[] = [];
  const email = normalizeEmail(lead.email as string | null);
  if (email) {
    const r = await sql<{ id: string; full_name: string; email: string | null; account_id: string | null }>`SELECT t.id, t.full_name, t.email, t.account_id
      FROM ${tableOf(ctx, 'contact')} t WHERE ${lowerSql(sql.ref('t.email'))} = ${email} AND t.deleted_at IS NULL ${visibleTo(ctx, 'contact', 't')} ORDER BY t.created_at LIMIT 5`.execute(db(ctx));
    for (const row of r.rows) contacts.push({ id: row.id, name: row.full_name, email: row.email, account: row.account_id, rule: 'email', score: 1 });
  }
  return { accounts, contacts };
}

/** The account a conversion reuses without asking: an exact domain or normalised-name match. */
export function autoAccount(matches: { accounts: AccountMatch[] }): AccountMatch | undefined {
  return matches.accounts.find((a) => a.rule === 'website_domain') ?? matches.accounts.find((a) => a.rule === 'name');
}

/** The contact a conversion reuses: the e-mail match on the chosen account, else the first. */
export function autoContact(matches: { contacts: ContactMatch[] }, accountId: string | undefined): ContactMatch | undefined {
  return matches.contacts.find((c) => accountId && c.account === accountId) ?? matches.contacts[0];
}
