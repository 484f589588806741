import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { anonymous, getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { portalSettings } from '../../src/modules/portal/settings.ts';
import { draftInvoice, invoiceCatalogue, run } from '../invoicing/setup.ts';

/**
 * The customer portal (issue 13 item 5–6): magic-link sign-in (single use, 15 minutes, per
 * contact, rate-limited, revocable, no enumeration) through a real SMTP server; the portal's
 * own sessions (staff credentials get nothing from portal routes, portal sessions nothing from
 * staff routes); CSRF on writes; the isolation walk — every portal route with another account's
 * ids answers 404 —; child accounts; quote answers and profile changes through the record
 * pipeline, in history and the audit log; and the staff side's access log.
 */
let server: TestServer;
let admin: TestUser;
let smtp: TestSmtp;
let anon: ReturnType<typeof anonymous>;
const ids: Record<string, string> = {};
const other: Record<string, string[]> = { invoice: [], quote: [], order: [], contact: [], account: [], payment: [], portal_link: [] };

interface Portal {
  cookie: string;
  csrf: string;
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>;
}

async function portalRequest(cookie: string | undefined, csrf: string | undefined, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await server.app.inject({
    method: method as 'GET', url,
    headers: { ...(cookie ? { cookie: `meridian_portal=${cookie}` } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  let parsed: unknown;
  try {
    parsed = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, body: parsed as any, text: res.body, headers: res.headers as Record<string, unknown>, cookies: res.cookies };
}

/** The token of the newest sign-in mail to `to`, from the message's text part. */
async function tokenFromMail(to: string, count: number): Promise<string> {
  // The mail goes out after the answer: wait for it (a state, not a fixed time).
  for (let i = 0; i < 200 && mailsTo(to) < count; i++) await new Promise((r) => setTimeout(r, 50));
  expect(mailsTo(to)).toBeGreaterThanOrEqual(count);
  const raw = smtp.inbox.filter((m) => m.to.includes(to)).at(-1)!.raw;
  const mail = await simpleParser(raw);
  const m = /\/portal\/link#([A-Za-z0-9_-]{43})/.exec(mail.text ?? '');
  expect(m, mail.text).toBeTruthy();
  return m![1]!;
}
const mailsTo = (to: string) => smtp.inbox.filter((m) => m.to.includes(to)).length;

async function signIn(token: string): Promise<Portal> {
  const res = await portalRequest(undefined, undefined, 'POST', '/api/v1/portal/auth/session', { token });
  expect(res.status, res.text).toBe(200);
  const cookie = (res.cookies as Array<{ name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string }>).find((c) => c.name === 'meridian_portal')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/portal' });
  return { cookie: cookie.value, csrf: res.body.csrfToken, request: (method, url, body, headers) => portalRequest(cookie.value, res.body.csrfToken, method, url, body, headers) };
}

async function invite(contactId: string, email: string): Promise<string> {
  const before = mailsTo(email);
  const res = await admin.request('POST', `/api/v1/contact/${contactId}/portal-access/invite`);
  expect(res.status, res.text).toBe(200);
  expect(res.body.state).toBe('granted');
  return tokenFromMail(email, before + 1);
}

async function postedInvoice(account: string, contact?: string) {
  const { invoice } = await draftInvoice(admin, { account, ...(contact ? { contact } : {}) }, [{ product: ids.service, quantity: 1 }]);
  const res = await run(admin, invoice.id, 'post');
  expect(res.status, res.text).toBe(200);
  return res.body.id ?? invoice.id;
}

async function sentQuote(account: string, contact: string) {
  const opp = await buildOpportunity(admin, { account, name: `Deal ${Math.random()}` });
  const res = await admin.request('POST', '/api/v1/quotes', { body: { quote: { account, contact, opportunity: opp.id, title: 'Generator service' }, lines: [{ product: ids.service, quantity: 2 }, { product: ids.part, quantity: 1, optional: true }] } });
  expect(res.status, res.text).toBe(201);
  const sent = await admin.request('POST', `/api/v1/quotes/${res.body.quote.id}/send`, { body: {} });
  expect(sent.body.status, sent.text).toBe('sent');
  return res.body.quote.id as string;
}

async function order(account: string) {
  const res = await admin.request('POST', '/api/v1/orders', { body: { order: { account, po_number: 'PO-1' }, lines: [{ product: ids.part, quantity: 3 }] } });
  expect(res.status, res.text).toBe(201);
  return (res.body.order?.id ?? res.body.id) as string;
}

let dana: Portal;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  anon = anonymous(server);
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  Object.assign(ids, await invoiceCatalogue(server));
  ids.a = (await buildAccount(admin, { name: 'Harbor Power', currency: 'USD', portal_includes_children: true, billing_city: 'Portland' })).id;
  ids.a1 = (await buildAccount(admin, { name: 'Harbor Power East', currency: 'USD', parent_account: ids.a })).id;
  ids.b = (await buildAccount(admin, { name: 'Rival Grid', currency: 'USD' })).id;
  ids.dana = (await buildRecord(admin, 'contact', { first_name: 'Dana', last_name: 'Buyer', email: 'dana@harbor.example', account: ids.a })).id;
  ids.bob = (await buildRecord(admin, 'contact', { first_name: 'Bob', last_name: 'Rival', email: 'bob@rival.example', account: ids.b })).id;
  ids.invA = await postedInvoice(ids.a, ids.dana);
  ids.invA1 = await postedInvoice(ids.a1);
  ids.quoteA = await sentQuote(ids.a, ids.dana);
  ids.quoteA2 = await sentQuote(ids.a, ids.dana);
  ids.orderA = await order(ids.a);
  ids.linkA = (await buildRecord(admin, 'portal_link', { account: ids.a, label: 'PO portal', url: 'https://po.harbor.example/', position: 1 })).id;
  other.invoice.push(await postedInvoice(ids.b, ids.bob));
  other.quote.push(await sentQuote(ids.b, ids.bob));
  other.order.push(await order(ids.b));
  other.contact.push(ids.bob);
  other.account.push(ids.b);
  other.portal_link.push((await buildRecord(admin, 'portal_link', { account: ids.b, label: 'Rival files', url: 'https://files.rival.example/' })).id);
  // A draft of Dana's own account is not shown either.
  ids.draftA = (await draftInvoice(admin, { account: ids.a }, [{ product: ids.service, quantity: 1 }])).invoice.id;
  dana = await signIn(await invite(ids.dana, 'dana@harbor.example'));
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('signing in with a magic link', () => {
  it('the link is e-mailed, works once, and opens a portal session', async () => {
    const me = await dana.request('GET', '/api/v1/portal/me');
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({ contact: { id: ids.dana, name: 'Dana Buyer' }, account: { id: ids.a, name: 'Harbor Power' } });
    expect(me.body.accounts.map((a: any) => a.id).sort()).toEqual([ids.a, ids.a1].sort());
    const token = await invite(ids.dana, 'dana@harbor.example');
    await signIn(token);
    const again = await portalRequest(undefined, undefined, 'POST', '/api/v1/portal/auth/session', { token });
    expect(again.status).toBe(401);
    expect(again.body.detail).toMatch(/expired or was already used/);
  });

  it('an expired link is refused like a used one; only the hash is stored', async () => {
    const token = await invite(ids.dana, 'dana@harbor.example');
    const stored = await sql<{ token_hash: string }>`SELECT token_hash FROM portal_sign_in_link ORDER BY created_at DESC LIMIT 1`.execute(server.platform.db);
    expect(stored.rows[0]!.token_hash).not.toContain(token);
    await sql`UPDATE portal_sign_in_link SET expires_at = now() - interval '1 minute' WHERE contact_id = ${ids.dana}::uuid AND used_at IS NULL`.execute(server.platform.db);
    const res = await portalRequest(undefined, undefined, 'POST', '/api/v1/portal/auth/session', { token });
    expect(res.status).toBe(401);
    const forged = await portalRequest(undefined, undefined, 'POST', '/api/v1/portal/auth/session', { token: 'x'.repeat(43) });
    expect([forged.status, forged.body.detail]).toEqual([401, res.body.detail]);
  });

  it('asking for a link answers the same for known, unknown and not-invited addresses; the link lasts 15 minutes', async () => {
    const before = mailsTo('dana@harbor.example');
    const known = await anon('POST', '/api/v1/portal/auth/link', { email: 'Dana@Harbor.example' });
    const unknown = await anon('POST', '/api/v1/portal/auth/link', { email: 'nobody@nowhere.example' });
    const notInvited = await anon('POST', '/api/v1/portal/auth/link', { email: 'bob@rival.example' });
    expect([known.status, unknown.status, notInvited.status]).toEqual([202, 202, 202]);
    expect(unknown.body).toEqual(known.body);
    expect(notInvited.body).toEqual(known.body);
    const token = await tokenFromMail('dana@harbor.example', before + 1);
    const row = await sql<{ minutes: number }>`SELECT extract(epoch FROM expires_at - created_at)::int / 60 AS minutes FROM portal_sign_in_link WHERE used_at IS NULL AND contact_id = ${ids.dana}::uuid ORDER BY created_at DESC LIMIT 1`.execute(server.platform.db);
    expect(Number(row.rows[0]!.minutes)).toBe(15);
    expect(mailsTo('bob@rival.example')).toBe(0);
    await signIn(token);
  });

  it('is rate-limited per address and per IP with a clear 429', async () => {
    overrideSettings(server.platform, portalSettings, { linksPerAddress: 2, linksPerIp: 50 });
    try {
      const ask = () => anon('POST', '/api/v1/portal/auth/link', { email: 'limit@nowhere.example' });
      expect((await ask()).status).toBe(202);
      expect((await ask()).status).toBe(202);
      const refused = await ask();
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.headers['retry-after']).toBeTruthy();
      expect(refused.body).toMatchObject({ code: 'rate_limited' });
      expect(refused.body.detail).toMatch(/this e-mail address/);
      overrideSettings(server.platform, portalSettings, { linksPerAddress: 100, linksPerIp: 1 });
      const byIp = await anon('POST', '/api/v1/portal/auth/link', { email: 'someone.else@nowhere.example' });
      expect(byIp.status).toBe(429);
      expect(byIp.body.detail).toMatch(/your address/);
    } finally {
      overrideSettings(server.platform, portalSettings, { linksPerAddress: 3, linksPerIp: 20, linkWindowMinutes: 15 });
      await sql`DELETE FROM rate_limit_counter WHERE key LIKE 'portal-link:%'`.execute(server.platform.db).catch(() => undefined);
    }
  });
});

describe('portal sessions and staff credentials are kept apart', () => {
  it('staff tokens and sessions get nothing from portal routes', async () => {
    const token = await admin.request('GET', '/api/v1/portal/me');
    expect(token.status).toBe(401);
    const login = await anon('POST', '/api/v1/auth/login', { email: 'staff.portal@example.com', password: 'x' });
    void login;
    const staff = await server.createUser({ email: 'staff.portal@example.com', password: 'staff-password-1' });
    void staff;
    const signedIn = await anon('POST', '/api/v1/auth/login', { email: 'staff.portal@example.com', password: 'staff-password-1' });
    expect(signedIn.status, signedIn.text).toBe(200);
    const session = (signedIn.cookies as Array<{ name: string; value: string }>).find((c) => c.name === 'meridian_session')!.value;
    for (const url of ['/api/v1/portal/me', '/api/v1/portal/invoices', `/api/v1/portal/invoices/${ids.invA}`]) {
      const res = await server.app.inject({ method: 'GET', url, headers: { cookie: `meridian_session=${session}` } });
      expect(res.statusCode, url).toBe(401);
    }
    // Even with a portal cookie, an Authorization header is refused.
    expect((await dana.request('GET', '/api/v1/portal/me', undefined, { authorization: `Bearer ${admin.token}` })).status).toBe(401);
  });

  it('a portal session gets nothing from staff routes', async () => {
    for (const url of ['/api/v1/account', `/api/v1/invoice/${ids.invA}`, '/api/v1/auth/me', `/api/v1/contact/${ids.dana}/portal-access`]) {
      const res = await server.app.inject({ method: 'GET', url, headers: { cookie: `meridian_portal=${dana.cookie}` } });
      expect(res.statusCode, url).toBe(401);
      // Under the staff cookie's name, it is not a staff session either.
      const renamed = await server.app.inject({ method: 'GET', url, headers: { cookie: `meridian_session=${dana.cookie}` } });
      expect(renamed.statusCode, url).toBe(401);
    }
  });

  it('writes need the CSRF token of the session', async () => {
    const body = { contact: { phone: '+1 503 555 0100' } };
    const none = await portalRequest(dana.cookie, undefined, 'PATCH', '/api/v1/portal/profile', body);
    expect(none.status).toBe(403);
    const wrong = await portalRequest(dana.cookie, 'not-the-token', 'PATCH', '/api/v1/portal/profile', body);
    expect(wrong.status).toBe(403);
    const crossSite = await dana.request('PATCH', '/api/v1/portal/profile', body, { origin: 'https://evil.example', host: 'localhost:3000' });
    expect(crossSite.status).toBe(401);
    for (const [method, url, b] of [['POST', `/api/v1/portal/quotes/${ids.quoteA}/decline`, { reason: 'x' }], ['POST', '/api/v1/portal/invoices/pay', { invoiceIds: [ids.invA] }], ['POST', '/api/v1/portal/auth/sign-out', undefined]] as const) {
      expect((await portalRequest(dana.cookie, undefined, method, url, b)).status, url).toBe(403);
    }
    expect((await dana.request('GET', `/api/v1/portal/quotes/${ids.quoteA}`)).body.status).not.toBe('declined');
  });
});

describe('isolation', () => {
  it('every portal route answers 404 for another account’s invoices, payments, quotes, orders, contacts, accounts and files', async () => {
    const doc = (await admin.request('GET', '/api/v1/openapi.json')).body;
    const portalPaths = Object.entries<Record<string, any>>(doc.paths).filter(([p]) => p.startsWith('/api/v1/portal/') && !p.startsWith('/api/v1/portal/auth/'));
    expect(portalPaths.length).toBeGreaterThan(15);
    const foreign = Object.values(other).flat();
    const random = '01a2aaaa-0000-7000-8000-000000000000';
    let walked = 0;
    for (const [path, item] of portalPaths) {
      for (const method of Object.keys(item)) {
        const body = method === 'post' ? (path.endsWith('/pay') ? undefined : path.endsWith('/accept') ? { consent: true } : { reason: 'no' }) : method === 'patch' ? {} : undefined;
        if (path.includes('{id}')) {
          for (const id of [...foreign, random, 'not-an-id']) {
            const res = await dana.request(method.toUpperCase(), path.replace('{id}', id), body);
            walked++;
            expect(res.status, `${method} ${path} with ${id}: ${res.text.slice(0, 200)}`).toBe(404);
            for (const secret of ['Rival', 'bob@rival']) expect(res.text).not.toContain(secret);
          }
        } else if (path.endsWith('/pay')) {
          for (const id of other.invoice) {
            const res = await dana.request('POST', path, { invoiceIds: [id] });
            expect(res.status, res.text).toBe(404);
            const mixed = await dana.request('POST', path, { invoiceIds: [ids.invA, id] });
            expect(mixed.status, mixed.text).toBe(404);
            walked += 2;
          }
        } else if (path.startsWith('/api/v1/portal/statement')) {
          for (const id of [...other.account, ids.b, random]) {
            const res = await dana.request('GET', `${path}?account=${id}`);
            walked++;
            expect(res.status, `${path} account ${id}`).toBe(404);
          }
        } else if (method === 'get') {
          const res = await dana.request('GET', path);
          walked++;
          expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBe(200);
          for (const id of foreign) expect(res.text, `${path} carries ${id}`).not.toContain(id);
          for (const secret of ['Rival', 'bob@rival']) expect(res.text, path).not.toContain(secret);
        }
      }
    }
    expect(walked).toBeGreaterThan(60);
  });

  it('child accounts are seen only while the parent account allows it; drafts never', async () => {
    const list = (await dana.request('GET', '/api/v1/portal/invoices')).body.data.map((i: any) => i.id);
    expect(list).toEqual(expect.arrayContaining([ids.invA, ids.invA1]));
    expect(list).not.toContain(ids.draftA);
    expect((await dana.request('GET', `/api/v1/portal/invoices/${ids.draftA}`)).status).toBe(404);
    expect((await admin.request('PATCH', `/api/v1/account/${ids.a}`, { body: { portal_includes_children: false } })).status).toBe(200);
    try {
      expect((await dana.request('GET', `/api/v1/portal/invoices/${ids.invA1}`)).status).toBe(404);
      expect((await dana.request('GET', `/api/v1/portal/statement?account=${ids.a1}`)).status).toBe(404);
      expect((await dana.request('GET', '/api/v1/portal/invoices')).body.data.map((i: any) => i.id)).not.toContain(ids.invA1);
    } finally {
      await admin.request('PATCH', `/api/v1/account/${ids.a}`, { body: { portal_includes_children: true } });
    }
    expect((await dana.request('GET', `/api/v1/portal/invoices/${ids.invA1}`)).status).toBe(200);
  });
});

describe('what a contact sees and does', () => {
  it('invoices with PDFs, the dashboard, orders, links and the statement', async () => {
    const inv = await dana.request('GET', `/api/v1/portal/invoices/${ids.invA}`);
    expect(inv.status, inv.text).toBe(200);
    expect(inv.body).toMatchObject({ id: ids.invA, kind: 'invoice', status: 'posted', currency: 'USD', account: { id: ids.a, name: 'Harbor Power' } });
    expect(inv.body.lines).toHaveLength(1);
    for (const secret of ['cost', 'list_price', 'price_explanation']) expect(inv.text).not.toContain(secret);
    const pdf = await server.app.inject({ method: 'GET', url: `/api/v1/portal/invoices/${ids.invA}/pdf`, headers: { cookie: `meridian_portal=${dana.cookie}` } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const summary = (await dana.request('GET', '/api/v1/portal/summary')).body;
    expect(summary.balances[0]).toMatchObject({ currency: 'USD', openInvoices: 2 });
    expect(summary.openQuotes).toBeGreaterThanOrEqual(1);
    expect((await dana.request('GET', '/api/v1/portal/orders')).body.data.map((o: any) => o.id)).toEqual([ids.orderA]);
    expect((await dana.request('GET', '/api/v1/portal/links')).body.data).toEqual([expect.objectContaining({ label: 'PO portal', url: 'https://po.harbor.example/' })]);
    const st = await dana.request('GET', '/api/v1/portal/statement?from=2000-01-01');
    expect(st.status, st.text).toBe(200);
    expect(st.body).toMatchObject({ account: { id: ids.a }, currency: 'USD', openingBalance: '0.00' });
    expect(st.body.lines.map((l: any) => l.kind)).toEqual(['invoice']);
    expect(st.body.closingBalance).toBe(st.body.lines[0].balance);
    const stPdf = await server.app.inject({ method: 'GET', url: '/api/v1/portal/statement/pdf?from=2000-01-01', headers: { cookie: `meridian_portal=${dana.cookie}` } });
    expect([stPdf.statusCode, stPdf.headers['content-type']]).toEqual([200, 'application/pdf']);
    const payments = await dana.request('GET', '/api/v1/portal/payments');
    expect(payments.status, payments.text).toBe(200);
  });

  it('accepts a quote and declines another through billing’s commands, attributed to the contact', async () => {
    const opened = await dana.request('GET', `/api/v1/portal/quotes/${ids.quoteA}`);
    expect(opened.body).toMatchObject({ status: 'viewed', canAnswer: true });
    const optional = opened.body.lines.find((l: any) => l.optional);
    const noConsent = await dana.request('POST', `/api/v1/portal/quotes/${ids.quoteA}/accept`, { consent: false });
    expect(noConsent.status).toBe(422);
    const accepted = await dana.request('POST', `/api/v1/portal/quotes/${ids.quoteA}/accept`, { consent: true, optionalLines: [optional.id] });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', signedBy: 'Dana Buyer', canAnswer: false });
    expect((await dana.request('POST', `/api/v1/portal/quotes/${ids.quoteA}/accept`, { consent: true })).status).toBe(409);
    const declined = await dana.request('POST', `/api/v1/portal/quotes/${ids.quoteA2}/decline`, { reason: 'Too early for us' });
    expect(declined.body).toMatchObject({ status: 'declined', declineReason: 'Too early for us' });
    const history = await sql<{ via: string }>`SELECT DISTINCT via FROM record_history WHERE record_id = ${ids.quoteA2}::uuid AND field = 'status' AND new_value = '"declined"'::jsonb`.execute(server.platform.db);
    expect(history.rows.map((r) => r.via)).toEqual(['portal']);
    const audit = (await admin.request('GET', '/api/v1/audit-log?action=portal.*')).body.data;
    expect(audit.find((e: any) => e.action === 'portal.quote_accepted')).toMatchObject({ actor: { label: 'portal contact Dana Buyer', via: 'portal' }, target: { type: 'quote', id: ids.quoteA } });
  });

  it('updates billing contact details through the record pipeline, in history and audit', async () => {
    const bad = await dana.request('PATCH', '/api/v1/portal/profile', { billing: { email: 'not-an-email' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toMatch(/^billing\.email/);
    const res = await dana.request('PATCH', '/api/v1/portal/profile', { contact: { phone: '+1 503 555 0100' }, billing: { email: 'ap@harbor.example', street: '1 Harbor Way', city: 'Portland' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ contact: { phone: '+1 503 555 0100' }, billing: { email: 'ap@harbor.example', street: '1 Harbor Way', accountName: 'Harbor Power' } });
    expect((await admin.request('GET', `/api/v1/account/${ids.a}`)).body).toMatchObject({ email: 'ap@harbor.example', billing_street: '1 Harbor Way' });
    const history = await sql<{ field: string; via: string }>`SELECT field, via FROM record_history WHERE record_id = ${ids.a}::uuid AND field = 'billing_street'`.execute(server.platform.db);
    expect(history.rows).toEqual([{ field: 'billing_street', via: 'portal' }]);
    const audit = (await admin.request('GET', '/api/v1/audit-log?action=portal.profile_updated')).body.data[0];
    expect(audit).toMatchObject({ actor: { label: 'portal contact Dana Buyer' }, target: { type: 'contact', id: ids.dana } });
    expect(audit.details.fields).toEqual(expect.arrayContaining(['contact.phone', 'account.billing_street']));
  });

  it('paying online without a payment provider says so', async () => {
    const me = (await dana.request('GET', '/api/v1/portal/me')).body;
    const res = await dana.request('POST', '/api/v1/portal/invoices/pay', { invoiceIds: [ids.invA] });
    if (me.onlinePayment) expect(res.status, res.text).toBeLessThan(500);
    else expect([res.status, res.body.code]).toEqual([503, 'unavailable']);
  });
});

describe('the staff side', () => {
  it('shows the access log; revoking ends sessions and links at once', async () => {
    const other = await signIn(await invite(ids.dana, 'dana@harbor.example'));
    const pending = await invite(ids.dana, 'dana@harbor.example');
    const log = await admin.request('GET', `/api/v1/contact/${ids.dana}/portal-access`);
    expect(log.status, log.text).toBe(200);
    expect(log.body).toMatchObject({ state: 'granted', email: 'dana@harbor.example' });
    expect(log.body.activeSessions).toBeGreaterThanOrEqual(2);
    const actions = log.body.log.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['invited', 'signed_in', 'viewed', 'quote_accepted', 'profile_updated']));
    expect(log.body.log.find((e: any) => e.action === 'viewed' && e.detail === 'invoices')).toMatchObject({ ip: expect.any(String) });
    const revoked = await admin.request('POST', `/api/v1/contact/${ids.dana}/portal-access/revoke`);
    expect(revoked.body).toMatchObject({ state: 'revoked', activeSessions: 0 });
    expect((await other.request('GET', '/api/v1/portal/me')).status).toBe(401);
    expect((await dana.request('GET', '/api/v1/portal/invoices')).status).toBe(401);
    expect((await portalRequest(undefined, undefined, 'POST', '/api/v1/portal/auth/session', { token: pending })).status).toBe(401);
    // A revoked contact asking for a link gets the same answer and no e-mail.
    const before = mailsTo('dana@harbor.example');
    expect((await anon('POST', '/api/v1/portal/auth/link', { email: 'dana@harbor.example' })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo('dana@harbor.example')).toBe(before);
    // Staff who may not see a contact learn nothing of its portal access.
    const rep = await server.createUser();
    await admin.request('PUT', '/api/v1/sharing-settings/contact', { body: { sharing: 'private' } });
    expect((await rep.request('GET', `/api/v1/contact/${ids.dana}/portal-access`)).status).toBe(404);
    expect((await rep.request('POST', `/api/v1/contact/${ids.dana}/portal-access/invite`)).status).toBe(404);
    await admin.request('PUT', '/api/v1/sharing-settings/contact', { body: { sharing: 'public_read_write' } });
  });
});
