import { sql } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import { isBlank, tableOf } from '../../billing/index.ts';
import { companyNameSql, emailDomain, lowerSql, normalizeCompanyName, webDomainSql } from '../../sales/index.ts';
import type { IntakeOrder } from '../intake/index.ts';
import type { HoldReason } from './holds.ts';

export interface AccountMatch {
  account?: { id: string; invoicing_option: string | null; blacklisted: boolean | null; currency: string | null };
  contactId?: string;
  /** Why the account could not be decided (no account is set then: the intake is held without an order). */
  problem?: HoldReason;
}

type AccountRow = NonNullable<AccountMatch['account']>;

/**
 * The ordering account, as seed 001 matches a shop's customer to the CRM: the account number,
 * then the normalised company name (the duplicate rules' normaliser: "ACME, Inc." is "acme"),
 * then the domain of the customer's e-mail against the accounts' websites. Each step decides only
 * when exactly one account fits; two fits are ambiguous and held for a person to choose.
 */
export async function matchAccount(ctx: TxContext, order: IntakeOrder): Promise<AccountMatch> {
  const accounts = tableOf(ctx, 'account');
  const select = sql`SELECT id, invoicing_option, blacklisted, currency FROM ${accounts} WHERE deleted_at IS NULL`;
  const steps: Array<{ what: string; value: string | undefined; rows: () => Promise<AccountRow[]> }> = [
    {
      what: 'account number', value: order.customer.accountNumber,
      rows: async () => (await sql<AccountRow>`${select} AND account_number = ${order.customer.accountNumber} LIMIT 2`.execute(ctx.trx)).rows,
    },
    {
      what: 'company name', value: order.customer.name && normalizeCompanyName(order.customer.name),
      rows: async () => (await sql<AccountRow>`${select} AND ${companyNameSql(sql.ref('name'))} = ${normalizeCompanyName(order.customer.name)} LIMIT 2`.execute(ctx.trx)).rows,
    },
    {
      what: 'e-mail domain', value: emailDomain(order.customer.email ?? order.contactEmail) || undefined,
      rows: async () => (await sql<AccountRow>`${select} AND ${webDomainSql(sql.ref('website'))} = ${emailDomain(order.customer.email ?? order.contactEmail)} LIMIT 2`.execute(ctx.trx)).rows,
    },
  ];
  for (const step of steps) {
    if (isBlank(step.value)) continue;
    const rows = await step.rows();
    if (rows.length === 1) return { account: rows[0]!, ...(await matchContact(ctx, rows[0]!.id, order)) };
    if (rows.length > 1) {
      return { problem: { code: 'account_ambiguous', field: 'customer', by: 'intake', message: `More than one account has the ${step.what} '${String(step.value)}'; choose the right one` } };
    }
  }
  const given = [order.customer.accountNumber, order.customer.name, order.customer.email ?? order.contactEmail].filter(Boolean).join(', ');
  return { problem: { code: 'account_unknown', field: 'customer', by: 'intake', message: `No account matches the customer (${given || 'nothing given'})` } };
}

/**
 * matchAccount of many orders (a shop's orders received together): the orders giving an account
 * number are matched with one statement, and their contacts with another; any other order (no
 * number, or a number that is not exactly one account's) goes through matchAccount's steps alone.
 */
export async function matchAccounts(ctx: TxContext, orders: IntakeOrder[]): Promise<AccountMatch[]> {
  const numbers = [...new Set(orders.flatMap((o) => (isBlank(o.customer.accountNumber) ? [] : [o.customer.accountNumber!])))];
  const byNumber = new Map<string, AccountRow[]>();
  if (numbers.length) {
    const r = await sql<AccountRow & { account_number: string }>`SELECT id, invoicing_option, blacklisted, currency, account_number FROM ${tableOf(ctx, 'account')}
      WHERE deleted_at IS NULL AND account_number = ANY(${numbers}::text[])`.execute(ctx.trx);
    for (const { account_number, ...row } of r.rows) byNumber.set(account_number, [...(byNumber.get(account_number) ?? []), row]);
  }
  const matches: AccountMatch[] = [];
  const byEmail: Array<{ at: number; account: string; order: IntakeOrder }> = [];
  for (const [at, order] of orders.entries()) {
    const rows = isBlank(order.customer.accountNumber) ? [] : (byNumber.get(order.customer.accountNumber!) ?? []);
    if (rows.length !== 1) {
      matches.push(await matchAccount(ctx, order));
      continue;
    }
    matches.push({ account: rows[0]! });
    byEmail.push({ at, account: rows[0]!.id, order });
  }
  const contacts = await matchContacts(ctx, byEmail);
  byEmail.forEach((w, k) => {
    if (contacts[k]) matches[w.at]!.contactId = contacts[k];
  });
  return matches;
}

/** The account's contact with the order's e-mail, if there is one. */
async function matchContact(ctx: TxContext, accountId: string, order: IntakeOrder): Promise<{ contactId?: string }> {
  const [contactId] = await matchContacts(ctx, [{ account: accountId, order }]);
  return contactId ? { contactId } : {};
}

/** Each order's contact of its account by the order's e-mail (the first by id when two share it), one statement for all; undefined where none. */
async function matchContacts(ctx: TxContext, wanted: Array<{ account: string; order: IntakeOrder }>): Promise<Array<string | undefined>> {
  const asked = wanted.flatMap((w, k) => {
    const email = w.order.contactEmail ?? w.order.customer.email;
    return isBlank(email) ? [] : [{ k, account: w.account, email: email! }];
  });
  const out: Array<string | undefined> = wanted.map(() => undefined);
  if (!asked.length) return out;
  const r = await sql<{ n: string; id: string }>`SELECT DISTINCT ON (w.n) w.n, c.id FROM unnest(${asked.map((a) => a.account)}::uuid[], ${asked.map((a) => a.email)}::text[]) WITH ORDINALITY AS w(account_id, email, n)
    JOIN ${tableOf(ctx, 'contact')} c ON c.deleted_at IS NULL AND c.account_id = w.account_id AND ${lowerSql(sql.ref('c.email'))} = lower(w.email)
    ORDER BY w.n, c.id`.execute(ctx.trx);
  for (const row of r.rows) out[asked[Number(row.n) - 1]!.k] = row.id;
  return out;
}

/**
 * Seed 001's "eligibility for monthly billing": a shop order on account goes ahead only for an
 * account Meridian invoices (per PO or per month); a blacklisted account, or one set to manual
 * invoicing, is held for customer service. (The credit limit is checked when the order is
 * confirmed: the credit module's confirm check, commands/checks.ts.)
 */
export function eligibilityProblems(account: AccountRow): HoldReason[] {
  if (account.blacklisted) return [{ code: 'account_blacklisted', field: 'account', by: 'intake', message: 'The account is blacklisted' }];
  if (account.invoicing_option !== 'per_po' && account.invoicing_option !== 'per_month') {
    return [{ code: 'not_billable_on_account', field: 'account', by: 'intake', message: `The account is not invoiced on account (invoicing option: ${account.invoicing_option ?? 'none'})` }];
  }
  return [];
}

/** Products by code (SKU), active ones only; matched without regard to case, as shops write them. */
export async function productsBySku(ctx: TxContext, skus: string[]): Promise<Map<string, string>> {
  if (!skus.length) return new Map();
  const r = await sql<{ id: string; code: string }>`SELECT id, lower(code) AS code FROM ${tableOf(ctx, 'product')}
    WHERE deleted_at IS NULL AND active IS NOT FALSE AND lower(code) IN (${sql.join(skus.map((s) => s.toLowerCase()))})`.execute(ctx.trx);
  return new Map(r.rows.map((x) => [x.code, x.id]));
}
