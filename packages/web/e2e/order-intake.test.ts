import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, signIn, screenshotOnFailure, startHarness, type Harness } from './harness';

/**
 * An admin sets up a shop as an order source (issue 12 item 10): makes its signing secret (shown
 * once), edits the own-format mapping and tests it with a pasted sample — the order it would
 * make, the account it matches, an unknown SKU and a mapping that does not read.
 */
describe('an order source', () => {
  let h: Harness;
  let source: { id: string };
  const mapping = {
    format: 'json',
    fields: { externalId: 'order.id', 'customer.accountNumber': 'order.customer' },
    lines: { path: 'order.items', fields: { sku: 'sku', quantity: 'qty' } },
  };
  const sample = JSON.stringify({ order: { id: 'WEB-77', customer: 'C-900', items: [{ sku: 'CARD-500', qty: 2 }, { sku: 'NOPE-1', qty: 1 }] } });

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    await h.api('POST', '/product', { code: 'CARD-500', name: 'Business cards', unit_of_measure: unit });
    await h.api('POST', '/account', { name: 'Print Buyer Co', account_number: 'C-900', currency: 'USD', invoicing_option: 'per_month' });
    source = await h.api('POST', '/order_intake_source', { name: 'Web shop', key: 'web-shop', staff_email: 'service@example.com', format: 'custom', mapping: JSON.stringify(mapping) });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test('makes a secret once, tests a sample with the edited mapping, and saves it', async () => {
    const { page } = h;
    await page.goto(`/o/order_intake_source/${source.id}`);
    await page.getByRole('button', { name: 'Make secret…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Signing secret of Web shop' });
    await dialog.getByRole('button', { name: 'Make the secret' }).click();
    await expect.poll(() => dialog.getByTestId('intake-secret').innerText()).toMatch(/^misec_/);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'New secret…' }).waitFor();

    await page.getByLabel('Sample payload').fill(sample);
    await page.getByRole('button', { name: 'Test with sample' }).click();
    const result = page.getByTestId('intake-sample-result');
    await result.getByText('Account found').waitFor();
    await result.getByText('Unknown SKU NOPE-1').waitFor();
    expect(await result.getByRole('row').count()).toBe(3);
    await expectAccessible(page, 'order source page');

    // A mapping that names no lines is refused by the test, then fixed and saved.
    const editor = page.getByLabel('Mapping (JSON)');
    await editor.fill(JSON.stringify({ ...mapping, lines: undefined }));
    await page.getByRole('button', { name: 'Test with sample' }).click();
    await page.getByRole('alert').filter({ hasText: 'problem' }).waitFor();
    await editor.fill(JSON.stringify({ ...mapping, fields: { ...mapping.fields, poNumber: 'order.po' } }));
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await expect.poll(async () => JSON.parse((await h.api('GET', `/order_intake_source/${source.id}`)).mapping).fields.poNumber).toBe('order.po');
  });
});
