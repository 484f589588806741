import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Exports (issue 15 items 6 and 12): the Export buttons of a list page download the current view
 * — its filter, sort and columns — from the server's streamed export, as CSV and as XLSX; the
 * buttons are reachable at 390 px and the page stays axe-clean.
 */
describe('exports', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    await h.api('POST', '/account/bulk', {
      operation: 'create',
      records: [
        { name: 'Export Alpha', industry: 'energy', employees: 30 },
        { name: 'Export Bravo', industry: 'energy', employees: 10 },
        { name: '=Export Formula', industry: 'energy', employees: 20 },
        { name: 'Export Other', industry: 'retail', employees: 40 },
      ],
    });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test('Export CSV and Export XLSX download the filtered, sorted view', async () => {
    const { page } = h;
    const filter = { and: [{ field: 'industry', op: 'eq', value: 'energy' }, { field: 'name', op: 'contains', value: 'Export' }] };
    await page.goto(`/o/account?filter=${encodeURIComponent(JSON.stringify(filter))}&sort=-employees`);
    const table = page.getByRole('table', { name: 'Accounts list' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
    await screenshot(page, 'exports-list');

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/^account-\d{8}-\d{4}\.csv$/);
    const csv = (await fs.promises.readFile((await csvDownload.path())!, 'utf8')).replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toContain('Account name');
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['Export Alpha', "'=Export Formula", 'Export Bravo']);

    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export XLSX' }).click()]);
    expect(xlsxDownload.suggestedFilename()).toMatch(/\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await xlsxDownload.path())!);
    const sheet = book.worksheets[0]!;
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(2).getCell(2).value).toBe('Export Alpha');

    await expectAccessible(page, 'list with export buttons');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Export CSV' }).focus();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Export CSV');
    await expectAccessible(page, 'list with export buttons at 390 px');
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
