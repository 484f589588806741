import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSmtp, type Mail, type TestSmtp } from './smtp';
import { dialogOpened, expectAccessible, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Reports in the browser (issue 16 item 9): the builder's live preview as groupings change, a
 * saved summary report with its chart and table view, drill-down to the records behind a figure;
 * a saved report downloaded and e-mailed on a schedule (item 5) through a real SMTP server;
 * axe-clean, and at 390 px without sideways scrolling.
 */
describe('reports', () => {
  let h: Harness;
  let smtp: TestSmtp;
  const inbox: Mail[] = [];

  beforeAll(async () => {
    smtp = await startSmtp(inbox);
    h = await startHarness({ smtpUrl: smtp.url });
    const account = await h.api('POST', '/account?allowDuplicate=true', { name: 'Globex Energy', industry: 'energy' });
    await h.api('POST', '/opportunity', { name: 'Globex turbines', account: account.id, stage: 'prospecting', amount: '1200', close_date: '2027-02-10' });
    await h.api('POST', '/opportunity', { name: 'Globex panels', account: account.id, stage: 'qualification', amount: '800', close_date: '2027-03-01' });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });
  screenshotOnFailure(() => h);

  const noSidewaysScroll = (h: Harness) => h.page.evaluate(() => [document.documentElement, ...Array.from(document.querySelectorAll('main, main > *'))]
    .filter((el) => el.scrollWidth > window.innerWidth + 1).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}`));

  test('build a summary report with a live preview, save it, drill down to its records', async () => {
    const { page } = h;
    await page.goto('/reports/new');
    await page.getByRole('textbox', { name: /^Name/ }).fill('Deals per stage');
    await page.getByRole('combobox', { name: 'Row grouping 1', exact: true }).selectOption('stage');
    const table = page.getByRole('table', { name: 'Deals per stage (table view)' });
    await table.getByRole('cell', { name: 'prospecting', exact: true }).waitFor();
    await expect.poll(() => table.getByRole('row').count()).toBeGreaterThan(2);
    await page.getByRole('img', { name: /Deals per stage: bar chart/ }).waitFor();
    await expectAccessible(page, 'report builder');
    await page.getByRole('button', { name: 'Save report' }).click();
    await page.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Records of prospecting' }).click();
    const dialog = page.getByRole('dialog');
    await dialogOpened(dialog);
    await dialog.getByRole('link', { name: 'Globex turbines' }).waitFor();
    expect(await dialog.getByRole('link', { name: 'Globex panels' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => noSidewaysScroll(h)).toEqual([]);
    await expectAccessible(page, 'report builder (phone)');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto('/reports');
    await page.getByRole('link', { name: 'Deals per stage' }).waitFor();
    await expectAccessible(page, 'reports');
  });

  test('a saved report downloads as CSV and is e-mailed on a schedule, sent now from the page', async () => {
    const { page } = h;
    const report = await h.api('POST', '/reports', {
      name: 'Deals by stage', object: 'opportunity',
      definition: { groupings: { rows: ['stage'] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }], totals: true, chart: { type: 'bar', measure: null } },
    });
    await page.goto(`/reports/${report.id}`);
    const download = page.getByRole('link', { name: 'Export CSV' });
    await download.waitFor();
    const csv = await page.evaluate(async (href) => (await fetch(href as string)).text(), await download.getAttribute('href'));
    expect(csv).toContain('Stage,Count,Sum of Amount');
    expect(csv).toContain('prospecting,1,1200');

    await page.getByRole('button', { name: 'Schedule e-mail…' }).click();
    const dialog = page.getByRole('dialog', { name: /E-mail “Deals by stage” on a schedule/ });
    await dialogOpened(dialog);
    await dialog.getByText('Not scheduled yet.').waitFor();
    await dialog.getByRole('combobox', { name: 'On' }).selectOption('3');
    await dialog.getByRole('textbox', { name: 'At' }).fill('07:45');
    await expectAccessible(page, 'report schedule dialog');
    await dialog.getByRole('button', { name: 'Add schedule' }).click();
    await dialog.getByText(/Every Wednesday at 07:45/).waitFor();
    await dialog.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => inbox.length).toBe(1);
    expect(inbox[0]!.raw).toContain('Deals by stage');
    await page.getByText(/Sent 1 e-mail/).waitFor();
    await dialog.getByRole('button', { name: /Delete schedule: Every Wednesday/ }).click();
    await dialog.getByText('Not scheduled yet.').waitFor();
  });

  test('data quality: a score per owner, and the records behind a number', async () => {
    const { page } = h;
    await h.api('POST', '/contact', { last_name: 'Sparse Quality' });
    await page.goto('/data-quality');
    const table = page.getByRole('table', { name: /Data quality of Contacts per owner/ });
    await table.getByRole('cell', { name: 'Total', exact: true }).waitFor();
    await page.getByRole('button', { name: /^Incomplete: \d+ record\(s\) of everyone/ }).click();
    const dialog = page.getByRole('dialog', { name: /Incomplete: everyone/ });
    await dialogOpened(dialog);
    await dialog.getByRole('link', { name: 'Sparse Quality' }).waitFor();
    await expectAccessible(page, 'data quality drill-down');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('combobox', { name: 'Object' }).selectOption('account');
    await page.getByRole('table', { name: /Data quality of Accounts per owner/ }).waitFor();
    await expectAccessible(page, 'data quality');
  });
});
