import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * The billing screens. So far the catalogue (issue 11 item 12, part 1): products, price books and
 * quotes are standard records, so the generic list and record pages show them; the set-up objects
 * (units, taxes) and the child records (entries, lines) stay out of the navigation.
 */
describe('billing', () => {
  let h: Harness;
  let product: { id: string };
  let book: { id: string };
  beforeAll(async () => {
    h = await startHarness();
    const hour = (await h.api('POST', '/unit_of_measure/query', { filter: { field: 'code', op: 'eq', value: 'h' } })).data[0];
    product = await h.api('POST', '/product', { code: 'SVC-INSPECT', name: 'Generator inspection', type: 'service', unit_of_measure: hour.id, cost: 40 });
    book = await h.api('POST', '/price_book', { name: 'Standard USD', currency: 'USD', is_standard: true });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: product.id, unit_price: '90.00' });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('the catalogue is in the navigation; set-up and child objects are not', async () => {
    const { page } = h;
    const nav = page.getByRole('navigation', { name: 'Objects' });
    for (const name of ['Products', 'Price books', 'Quotes']) await nav.getByRole('link', { name, exact: true }).waitFor();
    for (const name of ['Units of measure', 'Tax rates', 'Tax categories', 'Price book entries', 'Opportunity products', 'Quote lines', 'Exchange rates']) {
      expect(await nav.getByRole('link', { name, exact: true }).count(), name).toBe(0);
    }
    await nav.getByRole('link', { name: 'Products', exact: true }).click();
    await page.getByRole('table', { name: 'Products list' }).getByRole('link', { name: 'Generator inspection' }).click();
    await page.getByRole('heading', { name: 'Generator inspection', level: 1 }).waitFor();
    await expectAccessible(page, 'product record');
    await page.goto(`/o/price_book/${book.id}`);
    await page.getByRole('heading', { name: 'Standard USD', level: 1 }).waitFor();
    // The book's prices are its related entries, with New to add one.
    await page.getByRole('tab', { name: /^Related/ }).click();
    const entries = page.getByRole('region', { name: 'Price book entries' });
    await expect.poll(() => entries.locator('tbody tr').count()).toBe(1);
    await entries.getByRole('button', { name: 'New' }).waitFor();
    await expectAccessible(page, 'price book record');
  });

  test('phone width: the product list is usable and accessible', async () => {
    const { page } = h;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/o/product');
    await page.getByRole('list', { name: 'Products list' }).getByRole('link', { name: 'Generator inspection' }).waitFor();
    await expectAccessible(page, 'phone product list');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
