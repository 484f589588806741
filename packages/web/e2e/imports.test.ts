import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * The import wizard in the browser (issue 15 item 12): a CSV uploaded, its columns mapped with
 * the suggestions and a parent created when missing, a dry run, the run with its progress, the
 * results with the error report, undo, and the imports history; axe-clean at 1280 and 390 px.
 * A file longer than the rows a dry run tries at once: its progress while the rest of the file is
 * tried in the background, still there after a reload, then the counts of every row.
 */
describe('imports', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const noSidewaysScroll = (h: Harness) => h.page.evaluate(() => [document.documentElement]
    .filter((el) => el.scrollWidth > window.innerWidth + 1).map((el) => `${el.tagName} ${el.scrollWidth}`));

  test('upload, map, dry run, run, results with the error report, undo, history', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Imports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Imports' }).waitFor();
    await page.getByText('No imports yet.').waitFor();
    await expectAccessible(page, 'imports');
    const csv = 'First Name,Last Name,E-mail Address,Company\nGrace,Hopper,grace@navy-labs.example,Navy Labs\nAlan,,alan@navy-labs.example,Navy Labs\n';
    await page.locator('input[type=file]').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload' }).click();

    await page.getByRole('heading', { level: 1, name: 'Import of contacts.csv' }).waitFor();
    const mapping = page.getByRole('table', { name: 'Column mapping' });
    await expect.poll(() => mapping.getByRole('combobox', { name: 'Field for Company' }).inputValue()).toBe('Account');
    expect(await mapping.getByRole('combobox', { name: 'Field for E-mail Address' }).inputValue()).toBe('E-mail');
    await mapping.getByRole('checkbox', { name: 'Create missing account' }).check();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('Of all 2 rows: 1 would be created, 0 updated, 0 skipped and 1 rejected. Nothing was saved.').waitFor();
    expect((await h.api('POST', '/contact/count', { filter: { field: 'email', op: 'eq', value: 'grace@navy-labs.example' } })).count).toBe(0);
    await expectAccessible(page, 'import mapping');
    await screenshot(page, 'imports-mapping');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => noSidewaysScroll(h)).toEqual([]);
    await expectAccessible(page, 'import mapping (phone)');
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.getByRole('button', { name: 'Start import' }).click();
    const results = page.getByRole('table', { name: 'Import results' });
    await page.getByText('Completed', { exact: true }).waitFor({ timeout: 60_000 });
    await expect.poll(() => results.getByRole('row', { name: /Created/ }).textContent()).toBe('Created1');
    expect(await results.getByRole('row', { name: /Rejected/ }).textContent()).toBe('Rejected1');
    const report = page.getByRole('link', { name: 'Download the error report (CSV)' });
    const [download] = await Promise.all([page.waitForEvent('download'), report.click()]);
    expect(download.suggestedFilename()).toBe('contacts-errors.csv');
    expect((await h.api('POST', '/contact/count', { filter: { field: 'email', op: 'eq', value: 'grace@navy-labs.example' } })).count).toBe(1);
    await expectAccessible(page, 'import results');
    await screenshot(page, 'imports-results');

    await page.getByRole('button', { name: 'Undo import' }).click();
    await page.getByRole('button', { name: 'Undo import' }).click();
    await page.getByText('Undone', { exact: true }).waitFor({ timeout: 60_000 });
    expect((await h.api('POST', '/contact/count', { filter: { field: 'email', op: 'eq', value: 'grace@navy-labs.example' } })).count).toBe(0);

    await page.getByRole('link', { name: 'All imports' }).click();
    const history = page.getByRole('table', { name: 'Imports' });
    await history.getByRole('link', { name: 'contacts.csv' }).waitFor();
    await history.getByText('Undone').waitFor();
    await expectAccessible(page, 'imports history');
  });

  test('a whole-file dry run of a long file: progress in the background, across a reload, then every row counted', async () => {
    const { page } = h;
    const ROWS = 3000; // 2,000 tried in the request (MERIDIAN_IMPORT_DRY_RUN_ROWS), the rest in the background
    const lines = ['Last Name,E-mail Address'];
    for (let n = 1; n <= ROWS; n++) lines.push(`Long ${n},${n === ROWS ? 'not-an-email' : `long${n}@long-file.example`}`);
    await page.goto('/imports');
    await page.locator('input[type=file]').setInputFiles({ name: 'long.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import of long.csv' }).waitFor();
    const mapping = page.getByRole('table', { name: 'Column mapping' });
    await expect.poll(() => mapping.getByRole('combobox', { name: 'Field for E-mail Address' }).inputValue()).toBe('E-mail');
    await page.getByRole('button', { name: 'Dry run' }).click();
    // The request tries the first 2,000 rows and hands the rest to the background, which may finish
    // them before the page looks again: the running state (bar and Cancel) or the result will do.
    const bar = page.getByRole('progressbar', { name: /Dry run progress/ });
    const result = page.getByText(`Of all ${ROWS.toLocaleString('en-US')} rows:`, { exact: false });
    await expect.poll(async () => (await bar.isVisible()) || (await result.isVisible()), { timeout: 60_000 }).toBe(true);
    // (No axe scan while it runs: the bar's width moves with every poll, so the page never settles for the scan.)
    // The server runs in this process (PGlite): a batch in flight may hold the page's first requests a while.
    await page.reload({ timeout: 60_000 });
    await page.getByRole('heading', { level: 1, name: 'Import of long.csv' }).waitFor();
    await page.getByText(`Of all ${ROWS.toLocaleString('en-US')} rows: ${(ROWS - 1).toLocaleString('en-US')} would be created, 0 updated, 0 skipped and 1 rejected. Nothing was saved.`).waitFor({ timeout: 120_000 });
    expect(await page.getByRole('table', { name: 'Dry run rows' }).getByRole('row').count()).toBe(101);
    await expectAccessible(page, 'import dry run of a long file');
    expect((await h.api('POST', '/contact/count', { filter: { field: 'email', op: 'contains', value: '@long-file.example' } })).count).toBe(0);
  });
});
