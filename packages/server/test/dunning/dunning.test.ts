import { startEventBackbone } from '../../src/platform/events/index.ts';
import { fastSettings, waitFor } from '../events/helpers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { buildAccount } from '../factories.ts';
import { draftInvoice, invoiceCatalogue, run } from '../invoicing/setup.ts';
import { runDunning } from '../../src/modules/dunning/index.ts';
import { dunningSettings } from '../../src/modules/dunning/settings.ts';
import { overrideSettings } from '../../src/platform/settings.ts';

/**
 * Payment reminders (issue 13 item 3, FIN-4): levels fire on their day, once; disputed, paid and
 * excluded invoices get none; two runs at once and a killed worker never send a level twice; the
 * mail lists the pay links; the last level makes the account manager a task; the dry run sends
 * nothing. Through a real SMTP server; on PGlite and on PostgreSQL (DATABASE_URL).
 */
let server: TestServer;
let admin: TestUser;
let smtp: TestSmtp;
let ids: Record<string, string>;

const today = new Date().toISOString().slice(0, 10);
const plus = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
let n = 0;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  ids = await invoiceCatalogue(server);
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

/** An account with its own e-mail, and `count` posted invoices due today (due on receipt). */
async function accountWithInvoices(count: number, overrides: Record<string, unknown> = {}): Promise<{ account: any; email: string; invoices: any[] }> {
  const email = `billing${++n}.${Date.now()}@customer.example`;
  const account = await buildAccount(admin, { name: `Debtor ${n}`, currency: 'USD', payment_terms: 'due_on_receipt', email, ...overrides });
  const invoices = [];
  for (let i = 0; i < count; i++) {
    const { invoice } = await draftInvoice(admin, { account: account.id }, [{ product: ids.part, quantity: i + 1 }]);
    const posted = await run(admin, invoice.id, 'post');
    expect(posted.status, posted.text).toBe(200);
    invoices.push(posted.body.invoice ?? posted.body);
  }
  return { account, email, invoices };
}

const mailsTo = (email: string) => smtp.inbox.filter((m) => m.to.includes(email));
const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
async function remindersOf(account: string) {
  const r = await sql<{ invoice_id: string; level: number; status: string; task_id: string | null; fee: string | null }>`SELECT invoice_id, level::int AS level, status, task_id, fee::text
    FROM obj_dunning_reminder WHERE account_id = ${account}::uuid ORDER BY level, invoice_id`.execute(server.platform.db);
  return r.rows;
}

describe('the default schedule', () => {
  it('is seeded once with levels at 3, 10 and 30 days, the last one making a task', async () => {
    const schedules = await admin.request('GET', '/api/v1/dunning_schedule');
    expect(schedules.body.data.filter((s: any) => s.is_default)).toHaveLength(1);
    const levels = await admin.request('GET', `/api/v1/dunning_level?sort=level`);
    const mine = levels.body.data.filter((l: any) => l.schedule === schedules.body.data.find((s: any) => s.is_default).id);
    expect(mine.map((l: any) => [l.level, l.days_overdue, l.creates_task])).toEqual([[1, 3, false], [2, 10, false], [3, 30, true]]);
  });

  it('refuses a level whose template does not render, naming the field', async () => {
    const schedule = (await admin.request('POST', '/api/v1/dunning_schedule', { body: { name: 'Strict' } })).body;
    const bad = await admin.request('POST', '/api/v1/dunning_level', { body: { schedule: schedule.id, name: 'Bad', level: 1, days_overdue: 5, subject: 'Hi {{ acount.name }}', body: 'x' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'subject', code: 'template_error' });
  });
});

describe('the run', () => {
  it('sends each level on its day, once, with the invoices and their pay links, to the account e-mail', async () => {
    const { account, email, invoices } = await accountWithInvoices(2);
    // Day 2: nothing yet. Day 3: level 1. Again day 3: nothing more. Day 10: level 2.
    await runDunning({ platform: server.platform, day: plus(2) });
    expect(mailsTo(email)).toHaveLength(0);
    await runDunning({ platform: server.platform, day: plus(3) });
    expect(mailsTo(email)).toHaveLength(1);
    const mail = decoded(mailsTo(email)[0]!.raw);
    expect(mail).toMatch(/Subject: Friendly reminder: 2 invoices/);
    for (const inv of invoices) expect(mail).toContain(inv.number);
    const links = await sql<{ token: string }>`SELECT token FROM invoicing_pay_link WHERE invoice_id = ANY(${invoices.map((i) => i.id)}::uuid[])`.execute(server.platform.db);
    expect(links.rows).toHaveLength(2);
    for (const l of links.rows) expect(mail).toContain(`http://localhost:3000/pay/${l.token}`);
    await runDunning({ platform: server.platform, day: plus(3) });
    await runDunning({ platform: server.platform, day: plus(9) });
    expect(mailsTo(email)).toHaveLength(1);
    await runDunning({ platform: server.platform, day: plus(10) });
    expect(mailsTo(email)).toHaveLength(2);
    expect(decoded(mailsTo(email)[1]!.raw)).toMatch(/Subject: Second reminder/);
    expect((await remindersOf(account.id)).map((r) => [r.level, r.status])).toEqual([[1, 'sent'], [1, 'sent'], [2, 'sent'], [2, 'sent']]);
    // On the account's timeline.
    const timeline = await admin.request('GET', `/api/v1/account/${account.id}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.data.filter((i: any) => i.kind === 'dunning_reminder')).toHaveLength(4);
    // And an outbox event per e-mail.
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event WHERE type = 'dunning_reminder.sent' AND changes->'account'->>'new' = ${account.id}`.execute(server.platform.db);
    expect(events.rows[0]!.n).toBe(2);
  });

  it('sends a late-found invoice only the highest level it reached, not every level at once', async () => {
    const { account, email } = await accountWithInvoices(1);
    await runDunning({ platform: server.platform, day: plus(12) });
    expect(mailsTo(email)).toHaveLength(1);
    expect((await remindersOf(account.id)).map((r) => r.level)).toEqual([2]);
  });

  it('skips disputed, paid and credited invoices and excluded accounts', async () => {
    const { account, email, invoices } = await accountWithInvoices(3);
    // Disputed on a posted invoice: the dispute command is allowed where plain edits are not.
    const plainEdit = await admin.request('PATCH', `/api/v1/invoice/${invoices[0].id}`, { body: { notes: 'changed' } });
    expect(plainEdit.status).toBe(409);
    const disputed = await admin.request('POST', `/api/v1/invoices/${invoices[0].id}/dispute`, { body: { disputed: true, reason: 'Wrong quantity' } });
    expect(disputed.status, disputed.text).toBe(200);
    expect(disputed.body).toMatchObject({ disputed: true, dispute_reason: 'Wrong quantity', status: 'posted' });
    const credited = await run(admin, invoices[1].id, 'credit', { full: true, reason: 'Cancelled' });
    expect(credited.status, credited.text).toBe(200);
    await sql`UPDATE obj_invoice SET status = 'paid', open_amount = 0 WHERE id = ${invoices[2].id}::uuid`.execute(server.platform.db);
    const excluded = await accountWithInvoices(1, { dunning_excluded: true });
    await runDunning({ platform: server.platform, day: plus(4) });
    expect(mailsTo(email)).toHaveLength(0);
    expect(mailsTo(excluded.email)).toHaveLength(0);
    expect(await remindersOf(account.id)).toEqual([]);
    // The dispute settled: reminded on the next run.
    await admin.request('POST', `/api/v1/invoices/${invoices[0].id}/dispute`, { body: { disputed: false } });
    await runDunning({ platform: server.platform, day: plus(4) });
    expect(mailsTo(email)).toHaveLength(1);
  });

  it('uses the parent account’s schedule when the account has none', async () => {
    const schedule = (await admin.request('POST', '/api/v1/dunning_schedule', { body: { name: `Group ${Date.now()}` } })).body;
    const level = await admin.request('POST', '/api/v1/dunning_level', { body: { schedule: schedule.id, name: 'Early', level: 1, days_overdue: 1, fee: 5, subject: 'Early reminder for {{ account.name }}', body: 'Open: {{ total }}. Fee: {{ fee }}.' } });
    expect(level.status, level.text).toBe(201);
    const parent = await buildAccount(admin, { name: `Group parent ${Date.now()}`, dunning_schedule: schedule.id });
    const { account, email } = await accountWithInvoices(1, { parent_account: parent.id });
    await runDunning({ platform: server.platform, day: plus(1) });
    expect(mailsTo(email)).toHaveLength(1);
    const mail = decoded(mailsTo(email)[0]!.raw);
    expect(mail).toMatch(/Subject: Early reminder for Debtor/);
    expect(mail).toContain('Fee: $5.00');
    expect((await remindersOf(account.id))[0]).toMatchObject({ level: 1, status: 'sent', fee: '5' });
  });

  it('gives the account manager a task at the last level', async () => {
    const manager = await server.createUser();
    const { account } = await accountWithInvoices(1, { account_manager: manager.id });
    const result = await runDunning({ platform: server.platform, day: plus(30) });
    expect(result.tasks).toBeGreaterThanOrEqual(1);
    expect((await remindersOf(account.id))[0]).toMatchObject({ level: 3, status: 'sent', task_id: null });
    // The task is made from the final notice's event by the outbox dispatcher, once.
    const backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
    try {
      await waitFor(async () => (await remindersOf(account.id))[0]?.task_id ?? null, 'the final notice task');
    } finally {
      await backbone.stop();
    }
    const [reminder] = await remindersOf(account.id);
    expect(reminder).toMatchObject({ level: 3, status: 'sent' });
    const tasks = await sql<{ n: number }>`SELECT count(*)::int AS n FROM obj_task WHERE account_id = ${account.id}::uuid AND deleted_at IS NULL`.execute(server.platform.db);
    expect(tasks.rows[0]!.n).toBe(1);
    const task = await admin.request('GET', `/api/v1/task/${reminder!.task_id}`);
    expect(task.body).toMatchObject({ owner: manager.id, account: account.id, priority: 'high' });
    expect(task.body.subject).toMatch(/^Call Debtor/);
  });
});

describe('never twice', () => {
  it('sends each (invoice, level) once when two runs go at the same time', async () => {
    const accounts = await Promise.all([accountWithInvoices(2), accountWithInvoices(1), accountWithInvoices(3)]);
    const results = await Promise.all([runDunning({ platform: server.platform, day: plus(5) }), runDunning({ platform: server.platform, day: plus(5) })]);
    for (const a of accounts) {
      expect(mailsTo(a.email)).toHaveLength(1);
      expect((await remindersOf(a.account.id)).every((r) => r.status === 'sent' && r.level === 1)).toBe(true);
      expect(await remindersOf(a.account.id)).toHaveLength(a.invoices.length);
    }
    // What one run sent the other did not.
    expect(results[0]!.reminders + results[1]!.reminders).toBeGreaterThanOrEqual(6);
  });

  it('a worker killed after claiming: the rerun sends the claims exactly once', async () => {
    const { account, email } = await accountWithInvoices(2);
    await expect(runDunning({ platform: server.platform, day: plus(3), afterClaim: () => { throw new Error('killed'); } })).rejects.toThrow('killed');
    expect(mailsTo(email)).toHaveLength(0);
    expect((await remindersOf(account.id)).map((r) => r.status)).toEqual(['pending', 'pending']);
    // A run within the claim timeout leaves them to their (maybe still living) claimer.
    await runDunning({ platform: server.platform, day: plus(3) });
    expect(mailsTo(email)).toHaveLength(0);
    overrideSettings(server.platform, dunningSettings, { claimTimeoutMinutes: 0 });
    try {
      const [a, b] = await Promise.all([runDunning({ platform: server.platform, day: plus(3) }), runDunning({ platform: server.platform, day: plus(3) })]);
      expect(a.recovered + b.recovered).toBeGreaterThanOrEqual(2);
      await runDunning({ platform: server.platform, day: plus(3) });
    } finally {
      overrideSettings(server.platform, dunningSettings, { claimTimeoutMinutes: 15 });
    }
    expect(mailsTo(email)).toHaveLength(1);
    expect((await remindersOf(account.id)).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('a worker killed while handing the mail to SMTP: never resent, marked failed', async () => {
    const { account, email } = await accountWithInvoices(1);
    await expect(runDunning({ platform: server.platform, day: plus(3), afterSend: () => { throw new Error('killed'); } })).rejects.toThrow('killed');
    expect(mailsTo(email)).toHaveLength(1);
    expect((await remindersOf(account.id)).map((r) => r.status)).toEqual(['sending']);
    overrideSettings(server.platform, dunningSettings, { claimTimeoutMinutes: 0 });
    try {
      await runDunning({ platform: server.platform, day: plus(3) });
    } finally {
      overrideSettings(server.platform, dunningSettings, { claimTimeoutMinutes: 15 });
    }
    expect(mailsTo(email)).toHaveLength(1);
    expect((await remindersOf(account.id)).map((r) => r.status)).toEqual(['failed']);
  });

  it('a refused message is tried again by the next run', async () => {
    const { account, email } = await accountWithInvoices(1);
    const result = await runDunning({ platform: server.platform, day: plus(3), mailer: async (m) => { if (m.to === email) throw new Error('452 mailbox full'); } });
    expect(result.refused).toBeGreaterThanOrEqual(1);
    expect((await remindersOf(account.id)).map((r) => r.status)).toEqual(['pending']);
    await runDunning({ platform: server.platform, day: plus(3) });
    expect(mailsTo(email)).toHaveLength(1);
    expect((await remindersOf(account.id)).map((r) => r.status)).toEqual(['sent']);
  });
});

describe('the routes', () => {
  it('previews what would be sent without sending or recording anything', async () => {
    const { account, email } = await accountWithInvoices(2);
    const before = smtp.inbox.length;
    const res = await admin.request('GET', `/api/v1/dunning/preview?date=${plus(3)}&limit=500`);
    expect(res.status, res.text).toBe(200);
    const mail = res.body.mails.find((m: any) => m.account.id === account.id);
    expect(mail).toMatchObject({ to: email, level: { level: 1 } });
    expect(mail.invoices).toHaveLength(2);
    expect(mail.text).toContain('/pay/');
    expect(smtp.inbox.length).toBe(before);
    expect(await remindersOf(account.id)).toEqual([]);
  });

  it('renders a template against the sample account, and gates the run on its capability', async () => {
    const ok = await admin.request('POST', '/api/v1/dunning/template-preview', { body: { subject: 'Reminder for {{ account.name }}', body: '{% for invoice in invoices %}{{ invoice.number }} {{ invoice.pay_link }}\n{% endfor %}{{ total }}' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.subject).toBe('Reminder for Sample Power Ltd');
    expect(ok.body.text).toContain('INV-2025-00017 http://localhost:3000/pay/SAMPLE-LINK-1');
    const bad = await admin.request('POST', '/api/v1/dunning/template-preview', { body: { subject: 'x', body: '{{ nope }}' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'body', code: 'template_error' });
    const user = await server.createUser();
    expect((await user.request('POST', '/api/v1/dunning/run', { body: {} })).status).toBe(403);
    expect((await user.request('GET', '/api/v1/dunning/preview')).status).toBe(403);
    const done = await admin.request('POST', '/api/v1/dunning/run', { body: {} });
    expect(done.status, done.text).toBe(200);
    expect(done.body.day).toBe(today);
  });
});
