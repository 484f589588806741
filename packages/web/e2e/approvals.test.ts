import { startSmtp, type Mail, type TestSmtp } from './smtp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN, dialogOpened, expectAccessible, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Approvals and the jobs page (issue 14 items 6 and 11): submit from a record's approval panel,
 * the lock banner, answer from the approvals inbox, answer from the e-mail's link without
 * signing in (and the same link refused the second time), and the admins' jobs page — axe-clean
 * at 1280 px and 390 px.
 */
describe('approvals', () => {
  let h: Harness;
  let smtp: TestSmtp;
  const inbox: Mail[] = [];
  let account: { id: string };

  const linkFor = async (to: string, after: number) => {
    await expect.poll(() => inbox.slice(after).some((m) => m.to.includes(to)), { timeout: 15_000 }).toBe(true);
    const raw = inbox.slice(after).find((m) => m.to.includes(to))!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    return /approvals\/respond\?token=([A-Za-z0-9_-]{43})/.exec(raw)![1]!;
  };

  beforeAll(async () => {
    smtp = await startSmtp(inbox);
    h = await startHarness({ smtpUrl: smtp.url });
    const ada = (await h.api('GET', `/user?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: ADMIN.email }))}`)).data[0].id;
    await h.api('POST', '/approval-processes', {
      name: 'key_accounts', label: 'Key account review', object: 'account', active: true,
      entryCriteria: { field: 'employees', op: 'gte', value: 100 }, submitters: [{ kind: 'owner' }],
      steps: [{ name: 'Sales director', approvers: [{ kind: 'user', value: ada }], mode: 'first' }],
      fieldUpdates: { approve: { type: 'customer' } },
    });
    account = await h.api('POST', '/account', { name: 'Fjord Freight', employees: 250 });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });
  screenshotOnFailure(() => h);

  test('submit from the record, see the lock, reject from the inbox', async () => {
    const { page } = h;
    await page.goto(`/o/account/${account.id}`);
    await page.getByRole('heading', { level: 1, name: 'Fjord Freight' }).waitFor();
    const panel = page.getByRole('region', { name: 'Approvals' });
    await panel.getByText('Not submitted for approval yet.').waitFor();
    await panel.getByRole('button', { name: 'Submit for approval' }).click();
    const dialog = page.getByRole('dialog', { name: 'Submit for approval' });
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: 'Comment for the approvers' }).fill('Three-year contract');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await dialog.waitFor({ state: 'detached' });
    await panel.getByText(/Waiting for approval at step “Sales director”/).waitFor();
    await panel.getByRole('button', { name: 'Approve' }).waitFor();
    await expectAccessible(page, 'approval panel');

    await page.getByRole('navigation', { name: 'My work' }).getByRole('link', { name: 'Approvals' }).click();
    const table = page.getByRole('table', { name: 'Requests waiting for your answer' });
    await table.getByRole('link', { name: /Key account review: Fjord Freight/ }).waitFor();
    await expectAccessible(page, 'approvals inbox');
    await page.setViewportSize({ width: 390, height: 844 });
    await table.waitFor();
    await expectAccessible(page, 'approvals inbox at 390 px');
    await page.setViewportSize({ width: 1280, height: 860 });
    await table.getByRole('button', { name: /^Reject Key account review/ }).click();
    const reject = page.getByRole('dialog', { name: 'Reject' });
    await dialogOpened(reject);
    expect(await reject.getByRole('button', { name: 'Reject' }).isDisabled()).toBe(true);
    await reject.getByRole('textbox', { name: 'Why?' }).fill('Credit check first');
    await reject.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Nothing waits for your approval').waitFor();
    const [entry] = (await h.api('GET', `/approvals/history/account/${account.id}`)).data;
    expect(entry).toMatchObject({ status: 'rejected', comment: 'Three-year contract' });
    expect(entry.results[0]).toMatchObject({ decision: 'rejected', comment: 'Credit check first', via: 'web' });
  });

  test("answer from the e-mail's link without signing in; the link works once", async () => {
    const before = inbox.length;
    await h.api('POST', '/approvals', { object: 'account', recordId: account.id });
    const token = await linkFor(ADMIN.email, before);
    const visitor = await h.browser.newContext({ baseURL: h.server.url, viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await visitor.newPage();
    try {
      await page.goto(`/approvals/respond?token=${token}&decision=approve`);
      await page.getByRole('heading', { name: 'Approval request' }).waitFor();
      await expectAccessible(page, 'approval answer page at 390 px');
      await page.getByRole('textbox', { name: /Comment/ }).fill('OK from my phone');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByText('Your answer is recorded. The request is now approved.').waitFor();
      expect((await h.api('GET', `/account/${account.id}`)).type).toBe('customer');
      await page.goto(`/approvals/respond?token=${token}&decision=reject`);
      await page.getByRole('textbox', { name: /Why/ }).fill('again');
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.getByRole('alert').getByText(/used already/).waitFor();
    } finally {
      await visitor.close();
    }
  });

  test('the jobs page lists every job with its next run', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Jobs' }).click();
    const jobs = page.getByRole('table', { name: 'Jobs' });
    const row = jobs.locator('tr[data-job="credit.nightly"]');
    await row.getByText('35 * * * *').waitFor();
    await row.getByText('Not run yet').waitFor();
    await expectAccessible(page, 'jobs page');
    await page.setViewportSize({ width: 390, height: 844 });
    await jobs.waitFor();
    await expectAccessible(page, 'jobs page at 390 px');
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
