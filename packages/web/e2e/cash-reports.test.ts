import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Cash in the web app (issue 13 items 7–8): the account's balance block with its overdue banner
 * (and the same block on a contact's page), then the Cash section's reports over the same data.
 */
describe('cash reports', () => {
  let h: Harness;
  let account: { id: string };
  let contact: { id: string };

  const day = (offset: number) => {
    const d = new Date();
    d.setUTCDate(d.getUTCDate() + offset);
    return d.toISOString().slice(0, 10);
  };

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const book = await h.api('POST', '/price_book', { name: 'Cash USD', currency: 'USD', is_standard: true });
    const product = await h.api('POST', '/product', { code: 'SVC-1', name: 'Service visit', unit_of_measure: unit });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: product.id, unit_price: '40.00' });
    account = await h.api('POST', '/account', { name: 'Harbor Works', currency: 'USD' });
    contact = await h.api('POST', '/contact', { first_name: 'Dana', last_name: 'Buyer', account: account.id });
    const invoice = async (quantity: number) => {
      const made = await h.api('POST', '/invoices', { invoice: { account: account.id }, lines: [{ product: product.id, quantity }] });
      await h.api('POST', `/invoices/${made.invoice.id}/post`, {});
      return made.invoice.id as string;
    };
    const late = await invoice(5); // $200, made 45 days overdue below
    const recent = await invoice(3); // $120, $50 of it paid
    // Posting dates an invoice today; the arrangement needs one from two months ago (the database, as the API cannot back-date).
    const db = (h.server as unknown as { platform: { db: any } }).platform.db;
    await db.updateTable('obj_invoice').set({ invoice_date: day(-60), due_date: day(-45) }).where('id', '=', late).execute();
    await h.api('POST', '/payments', { account: account.id, amount: '50.00', currency: 'USD', method: 'bank_transfer', allocations: [{ invoice: recent, amount: '50.00' }] });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test("the account's header shows its balance and an overdue banner; the contact's page shows its account's", async () => {
    const { page } = h;
    await page.goto(`/o/account/${account.id}`);
    const block = page.getByRole('region', { name: 'Balance' });
    await block.getByTestId('balance-stat').getByText('$270.00').waitFor();
    const banner = page.getByTestId('overdue-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('$200.00 is past due');
    expect(await page.getByTestId('overdue-banner').count()).toBe(1);
    await expect.poll(() => block.getByTestId('overdue-stat').innerText()).toContain('$200.00');
    await expect.poll(() => block.getByTestId('last-payment-stat').innerText()).toContain('$50.00');
    await expect.poll(() => block.getByTestId('dso-stat').innerText()).toMatch(/\d+\.\d days/);
    await block.getByTestId('credit-limit-stat').waitFor();
    await expectAccessible(page, 'account balance');
    await screenshot(page, 'account-balance');

    await page.setViewportSize({ width: 390, height: 844 });
    await block.getByTestId('available-credit-stat').waitFor();
    await expectAccessible(page, 'account balance on a phone');
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.goto(`/o/contact/${contact.id}`);
    const contactBlock = page.getByRole('region', { name: 'Balance of Harbor Works' });
    await contactBlock.getByTestId('balance-stat').getByText('$270.00').waitFor();
    await page.getByTestId('overdue-banner').waitFor();
  });

  test('the Cash section: aging, DSO, cash collected and revenue over the same invoices', async () => {
    const { page } = h;
    await page.goto('/');
    await page.getByRole('navigation', { name: 'My work' }).getByRole('link', { name: 'Cash' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cash' }).waitFor();
    const usd = page.getByTestId('aging-buckets-USD');
    await usd.waitFor();
    expect(await usd.locator('[data-bucket="current"]').innerText()).toBe('$70.00');
    expect(await usd.locator('[data-bucket="days_31_60"]').innerText()).toBe('$200.00');
    const row = page.getByRole('row', { name: /Harbor Works/ });
    await expect.poll(() => row.innerText()).toContain('$270.00');
    await page.getByRole('img', { name: /Aging in USD/ }).waitFor();
    await expectAccessible(page, 'aging');
    await screenshot(page, 'cash-aging');

    await page.getByRole('tab', { name: 'DSO' }).click();
    await page.getByTestId('dso-formula').getByText(/receivables at the end of the period ÷ credit sales in the period × days in the period/).waitFor();
    await page.getByRole('img', { name: /DSO per month in USD/ }).waitFor();
    await page.getByRole('region', { name: 'Accounts with the most receivables' }).getByRole('link', { name: 'Harbor Works' }).waitFor();
    await expectAccessible(page, 'dso');

    await page.getByRole('tab', { name: 'Cash collected' }).click();
    await page.getByRole('heading', { name: 'USD: $50.00 collected' }).waitFor();
    await expectAccessible(page, 'cash collected');

    await page.getByRole('tab', { name: 'Revenue by account tree' }).click();
    const revenue = page.getByRole('region', { name: 'By top-level account' });
    await expect.poll(async () => (await revenue.getByRole('row', { name: /Harbor Works/ }).count()) && revenue.getByRole('row', { name: /Harbor Works/ }).innerText()).toContain('$320.00');
    await expectAccessible(page, 'revenue by account tree');
  });
});
