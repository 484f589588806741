import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Reports in the browser (issue 16 item 9): the builder's live preview as groupings change, a
 * saved summary report with its chart and table view, drill-down to the records behind a figure;
 * axe-clean, and at 390 px without sideways scrolling.
 */
describe('reports', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    const account = await h.api('POST', '/account?allowDuplicate=true', { name: 'Globex Energy', industry: 'energy' });
    await h.api('POST', '/opportunity', { name: 'Globex turbines', account: account.id, stage: 'prospecting', amount: '1200', close_date: '2027-02-10' });
    await h.api('POST', '/opportunity', { name: 'Globex panels', account: account.id, stage: 'qualification', amount: '800', close_date: '2027-03-01' });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const noSidewaysScroll = (h: Harness) => h.page.evaluate(() => [document.documentElement, ...Array.from(document.querySelectorAll('main, main > *'))]
    .filter((el) => el.scrollWidth > window.innerWidth + 1).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}`));

  test('build a summary report with a live preview, save it, drill down to its records', async () => {
    const { page } = h;
    await page.goto('/reports/new');
    await page.getByRole('textbox', { name: /^Name/ }).fill('Pipeline by stage');
    await page.getByRole('combobox', { name: 'Row grouping 1', exact: true }).selectOption('stage');
    const table = page.getByRole('table', { name: 'Pipeline by stage (table view)' });
    await table.getByRole('cell', { name: 'prospecting', exact: true }).waitFor();
    await expect.poll(() => table.getByRole('row').count()).toBeGreaterThan(2);
    await page.getByRole('img', { name: /Pipeline by stage: bar chart/ }).waitFor();
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
    await page.getByRole('link', { name: 'Pipeline by stage' }).waitFor();
    await expectAccessible(page, 'reports');
  });
});
