import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Locator } from 'playwright-core';
import { expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Finance edits a price book as a grid (issue 11 item 12): prices changed with the keyboard (and
 * quotes priced with them), the server's refusal shown at the cell, someone else's change reloaded,
 * an entry added and one removed then undone, two prices raised by 10 %, the grid on a phone, and
 * read-only for a profile that may not change prices.
 */
describe('the price book grid', () => {
  let h: Harness;
  let book: { id: string };
  let account: { id: string };
  const products: Record<string, string> = {};
  const entries: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    book = await h.api('POST', '/price_book', { name: 'Partner USD', currency: 'USD' });
    for (const [code, name, price] of [['GEN-20', 'Generator 20 kW', '8400.00'], ['ATS-100', 'Transfer switch', '1250.00'], ['SVC-COMM', 'Commissioning', '600.00'], ['BAT-5', 'Battery pack', null]] as const) {
      products[name] = (await h.api('POST', '/product', { code, name, unit_of_measure: unit })).id;
      if (price) entries[name] = (await h.api('POST', '/price_book_entry', { price_book: book.id, product: products[name], unit_price: price })).id;
    }
    account = await h.api('POST', '/account', { name: 'Harbour Works', currency: 'USD', price_book: book.id });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const entry = (name: string) => h.api('GET', `/price_book_entry/${entries[name]}`);
  const grid = () => h.page.getByRole('grid', { name: 'Prices of Partner USD' });
  const row = (product: string) => grid().locator('tr', { has: h.page.getByRole('gridcell', { name: product, exact: true }) });
  const cell = (product: string, column: string) => row(product).locator(`td[data-col="${column}"]`);
  const focused = () => h.page.evaluate(() => document.activeElement?.closest('[data-cell]')?.getAttribute('data-cell') ?? document.activeElement?.getAttribute('aria-label') ?? '');
  const focusedIs = async (product: string, column: string) => expect.poll(focused).toBe(`${entries[product]}|${column}`);
  const count = () => h.page.getByTestId('price-count').innerText();

  test('prices are edited like a spreadsheet and the quote pricing follows', async () => {
    const { page } = h;
    await page.goto(`/o/price_book/${book.id}`);
    await grid().waitFor();
    await expect.poll(count).toBe('3 entries');
    // By product name: Commissioning, Generator, Transfer switch.
    await expect.poll(() => grid().locator('td[data-col="product"]').allInnerTexts()).toEqual(['Commissioning', 'Generator 20 kW', 'Transfer switch']);
    await expect.poll(() => cell('Generator 20 kW', 'unit_price').innerText()).toBe('$8,400.00');

    // One tab stop: the grid is entered on its first product; arrows move to the price.
    await page.getByRole('searchbox', { name: 'Search prices' }).focus();
    await page.keyboard.press('Tab'); // "Select all shown"
    await page.keyboard.press('Tab'); // "Adjust prices…" is disabled: the grid comes next
    await focusedIs('Commissioning', 'product');
    await page.keyboard.press('ArrowDown');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await focusedIs('Generator 20 kW', 'unit_price');
    // Typing starts editing; Enter saves (one PATCH) and goes down.
    await page.keyboard.type('8650');
    await page.keyboard.press('Enter');
    await focusedIs('Transfer switch', 'unit_price');
    await expect.poll(() => cell('Generator 20 kW', 'unit_price').innerText()).toBe('$8,650.00');
    expect((await entry('Generator 20 kW')).unit_price).toBe(8650);
    const price = await h.api('GET', `/billing/price?account=${account.id}&product=${products['Generator 20 kW']}`);
    expect(price.unitPrice).toBe('8650.00');

    // The server refuses a third decimal in USD: the reason shows at the cell and the focus stays in it.
    await page.keyboard.press('F2');
    const editor = cell('Transfer switch', 'unit_price').getByRole('textbox');
    await editor.fill('1250.505');
    await editor.press('Enter');
    await cell('Transfer switch', 'unit_price').getByText('USD amounts have at most 2 decimal places').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Unit price of Transfer switch, per Each');
    // Escape cancels and gives the focus back to the cell.
    await page.keyboard.press('Escape');
    await focusedIs('Transfer switch', 'unit_price');
    await expect.poll(() => cell('Transfer switch', 'unit_price').innerText()).toBe('$1,250.00');

    // Tab saves and goes right: a quantity break from 5.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    await focusedIs('Commissioning', 'min_quantity');
    await page.keyboard.press('Enter');
    await cell('Commissioning', 'min_quantity').getByRole('textbox').fill('-1');
    await page.keyboard.press('Tab');
    await cell('Commissioning', 'min_quantity').getByText('Must be at least 0').waitFor();
    await cell('Commissioning', 'min_quantity').getByRole('textbox').fill('5');
    await page.keyboard.press('Tab');
    await focusedIs('Commissioning', 'unit_price');
    await expect.poll(async () => (await entry('Commissioning')).min_quantity).toBe(5);

    // A lookup cell: the unit chosen by typing and Enter.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await focusedIs('Commissioning', 'unit_of_measure');
    await page.keyboard.type('Hour');
    await page.getByRole('option', { name: 'Kilowatt-hour' }).waitFor();
    // The best match first; the current unit stays listed last.
    await expect.poll(() => page.getByRole('option').allInnerTexts()).toEqual(['Hour', 'Kilowatt-hour', 'Each']);
    await page.keyboard.press('Enter');
    await expect.poll(() => cell('Commissioning', 'unit_of_measure').innerText()).toBe('Hour');
    const hour = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'h' }))}`)).data[0].id;
    expect((await entry('Commissioning')).unit_of_measure).toBe(hour);
    await expectAccessible(page, 'price grid');
  });

  test('someone else’s change is loaded into the row instead of being overwritten', async () => {
    const { page } = h;
    const before = await entry('Transfer switch');
    await h.api('PATCH', `/price_book_entry/${before.id}`, { unit_price: '1300.00' });
    await cell('Transfer switch', 'unit_price').dblclick();
    const editor = cell('Transfer switch', 'unit_price').getByRole('textbox');
    await editor.fill('1275');
    await editor.press('Enter');
    await cell('Transfer switch', 'unit_price').getByText(/Someone else changed this entry/).waitFor();
    expect((await entry('Transfer switch')).unit_price).toBe(1300);
    await page.keyboard.press('Escape');
    await expect.poll(() => cell('Transfer switch', 'unit_price').innerText()).toBe('$1,300.00');
  });

  test('an entry is added from the add row, and a removed one comes back with Undo', async () => {
    const { page } = h;
    const form = page.getByRole('form', { name: 'Add a price' });
    await input(form, 'Product').fill('Batt');
    await page.getByRole('option', { name: 'Battery pack' }).click();
    await input(form, 'Unit price (USD)').fill('12.345');
    await input(form, 'Unit price (USD)').press('Enter');
    await form.getByText('USD amounts have at most 2 decimal places').waitFor();
    await input(form, 'Unit price (USD)').fill('450');
    await input(form, 'Unit price (USD)').press('Enter');
    await expect.poll(count).toBe('4 entries');
    await expect.poll(() => cell('Battery pack', 'unit_price').innerText()).toBe('$450.00');
    await expect.poll(() => grid().locator('td[data-col="product"]').allInnerTexts()).toEqual(['Battery pack', 'Commissioning', 'Generator 20 kW', 'Transfer switch']);
    // Ready for the next price.
    await expect.poll(() => input(form, 'Unit price (USD)').inputValue()).toBe('');

    await grid().getByRole('button', { name: 'Remove Commissioning, per Hour from 5' }).click();
    await expect.poll(count).toBe('3 entries');
    expect(await row('Commissioning').count()).toBe(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(count).toBe('4 entries');
    expect((await entry('Commissioning')).unit_price).toBe(600);
  });

  test('two prices are raised by 10 %, rounded to the cent', async () => {
    const { page } = h;
    await page.getByRole('checkbox', { name: 'Select Generator 20 kW, per Each' }).check();
    await page.getByRole('checkbox', { name: 'Select Transfer switch, per Each' }).check();
    await page.getByRole('button', { name: 'Adjust 2 prices…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adjust prices' });
    await dialog.getByRole('textbox', { name: 'Change by (%)' }).fill('10');
    await dialog.getByRole('row', { name: /Generator 20 kW.*\$8,650\.00.*\$9,515\.00/ }).waitFor();
    await expectAccessible(page, 'adjust prices');
    await dialog.getByRole('button', { name: 'Adjust 2 prices' }).click();
    await dialog.getByText('Adjusted 2 of 2 prices.').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await entry('Generator 20 kW')).unit_price).toBe(9515);
    expect((await entry('Transfer switch')).unit_price).toBe(1430);
    expect((await entry('Commissioning')).unit_price).toBe(600);
    await expect.poll(() => cell('Transfer switch', 'unit_price').innerText()).toBe('$1,430.00');
    await screenshot(page, 'price-book-grid');
  });

  test('a column of prices pasted from a spreadsheet fills down from the focused cell', async () => {
    const { page } = h;
    const start = cell('Battery pack', 'unit_price');
    await start.click();
    await start.evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/plain', '475.00\r\n$640\r\n');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.getByText('Pasted 2 cells.').waitFor();
    await expect.poll(() => cell('Battery pack', 'unit_price').innerText()).toBe('$475.00');
    expect((await entry('Commissioning')).unit_price).toBe(640);
  });

  test('on a phone the grid scrolls inside its frame with the product in view', async () => {
    const { page } = h;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await grid().waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    const wrap: Locator = page.locator('.price-grid-wrap');
    expect(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await wrap.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
    const product = await cell('Generator 20 kW', 'product').boundingBox();
    const wrapBox = await wrap.boundingBox();
    expect(product!.x).toBeGreaterThanOrEqual(wrapBox!.x);
    expect(product!.x + product!.width).toBeLessThanOrEqual(390);
    await expectAccessible(page, 'price grid on a phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('a profile that may not change prices gets a read-only grid once the server refuses', async () => {
    await h.api('POST', '/profiles', { name: 'price_viewer', label: 'Price viewer', permissions: { default: { read: true, create: true, edit: true, delete: true, viewAll: true }, objects: { price_book_entry: { read: true, create: false, edit: false, delete: false, viewAll: true } } } });
    const viewer = { email: 'vera@example.com', password: 'vera-password-123' };
    await h.server.createUser({ ...viewer, profile: 'price_viewer' as 'standard', firstName: 'Vera', lastName: 'Viewer' });
    const context = await h.browser.newContext({ baseURL: h.server.url, viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC' });
    const page = await context.newPage();
    try {
      await signIn(page, viewer);
      await page.goto(`/o/price_book/${book.id}`);
      const cellOf = page.getByRole('grid', { name: 'Prices of Partner USD' }).locator('tr', { has: page.getByRole('gridcell', { name: 'Battery pack', exact: true }) }).locator('td[data-col="unit_price"]');
      await cellOf.dblclick();
      await cellOf.getByRole('textbox').fill('999');
      await cellOf.getByRole('textbox').press('Enter');
      await page.getByText('You can see these prices but not change them').waitFor();
      expect(await page.getByRole('form', { name: 'Add a price' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Remove / }).count()).toBe(0);
      await expect.poll(() => cellOf.innerText()).toBe('$475.00');
      // Enter no longer opens an editor.
      await cellOf.focus();
      await page.keyboard.press('Enter');
      expect(await cellOf.getByRole('textbox').count()).toBe(0);
      expect((await h.api('GET', `/price_book_entry?filter=${encodeURIComponent(JSON.stringify({ field: 'product', op: 'eq', value: products['Battery pack'] }))}`)).data[0].unit_price).toBe(475);
    } finally {
      await context.close();
    }
  });
});
