import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * The credit limit on the account page (issue 13 items 4 and 9): computed from the account's
 * invoices (Recompute), explained with its inputs and formula, and overridden with a reason that
 * lands in the account's history; the header's available credit follows.
 */
describe('credit limit', () => {
  let h: Harness;
  let account: { id: string };

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const book = await h.api('POST', '/price_book', { name: 'Credit USD', currency: 'USD', is_standard: true });
    const product = await h.api('POST', '/product', { code: 'SVC-CR', name: 'Maintenance visit', unit_of_measure: unit });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: product.id, unit_price: '400.00' });
    account = await h.api('POST', '/account', { name: 'Northwind Bakery', currency: 'USD', payment_terms: 'net_30' });
    const draft = (await h.api('POST', '/invoices', { invoice: { account: account.id }, lines: [{ product: product.id, quantity: 3 }] })).invoice;
    await h.api('POST', `/invoices/${draft.id}/post`, {});
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test('recompute, read the explanation, override with a reason and clear it', async () => {
    const { page } = h;
    await page.goto(`/o/account/${account.id}`);
    await page.getByRole('heading', { level: 1, name: 'Northwind Bakery' }).waitFor();
    const panel = page.getByRole('region', { name: 'Credit limit' });
    await panel.waitFor();
    await panel.getByRole('button', { name: 'Recompute' }).click();
    await expect.poll(async () => (await h.api('GET', `/accounts/${account.id}/credit`)).computedAt ?? null).not.toBeNull();
    await panel.getByText('How it is computed').waitFor();
    await panel.getByRole('table', { name: 'Inputs' }).waitFor();
    await expectAccessible(page, 'credit panel');

    await panel.getByRole('button', { name: 'Override…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Override the credit limit' });
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: /^Credit limit/ }).fill('5000');
    expect(await dialog.getByRole('button', { name: 'Save override' }).isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Parent company guarantee');
    await expectAccessible(page, 'override dialog');
    await dialog.getByRole('button', { name: 'Save override' }).click();
    await dialog.waitFor({ state: 'detached' });
    await panel.getByText('$5,000.00').first().waitFor();
    await panel.getByText(/Overridden/).waitFor();
    // Open balance $1,200.00, nothing on order: $3,800.00 available.
    await panel.getByText('$3,800.00').waitFor();
    const standing = await h.api('GET', `/accounts/${account.id}/credit`);
    expect(standing).toMatchObject({ limit: 5000, available: 3800 });
    const history = await h.api('GET', `/account/${account.id}/history`);
    expect(JSON.stringify(history)).toContain('Parent company guarantee');

    await panel.getByRole('button', { name: 'Override…' }).click();
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Guarantee ended');
    await dialog.getByRole('button', { name: 'Clear override' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await h.api('GET', `/accounts/${account.id}/credit`)).override ?? null).toBeNull();
    expect(await panel.getByText(/Overridden/).count()).toBe(0);
  });
});
