import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Invoices in the web app (issue 12 items 5–7): a draft gets a line from the price book, is posted
 * (its number appears and its lines lock), is credited in part through the credit dialog, and its
 * PDF downloads.
 */
describe('invoices', () => {
  let h: Harness;
  let draft: { id: string };
  let order: { id: string; name: string };

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const book = await h.api('POST', '/price_book', { name: 'Invoices USD', currency: 'USD', is_standard: true });
    const product = await h.api('POST', '/product', { code: 'FLT-20', name: 'Filter cartridge', unit_of_measure: unit });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: product.id, unit_price: '40.00' });
    // Invoiced by the month: completing an order leaves it for the run (or for Create invoice).
    const account = await h.api('POST', '/account', { name: 'Harbor Works', currency: 'USD', payment_terms: 'net_15', invoicing_option: 'per_month' });
    draft = (await h.api('POST', '/invoices', { invoice: { account: account.id, po_number: 'PO-5521' }, lines: [] })).invoice;
    order = (await h.api('POST', '/orders', { order: { account: account.id, po_number: 'PO-6000' }, lines: [{ product: product.id, quantity: 3, unit_price: '38.00' }] })).order;
    for (const command of ['confirm', 'complete']) await h.api('POST', `/orders/${order.id}/${command}`, {});
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test('a draft gets a line, is posted with its number, credited in part, and its PDF downloads', async () => {
    const { page } = h;
    await page.goto(`/o/invoice/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: 'Draft' }).waitFor();
    const lines = page.getByRole('region', { name: 'Lines' });
    await input(lines, 'Add a product').fill('Filter');
    await page.getByRole('option', { name: 'Filter cartridge' }).click();
    await lines.getByRole('textbox', { name: 'Quantity', exact: true }).fill('5');
    await lines.getByRole('button', { name: 'Add' }).click();
    await lines.getByRole('cell', { name: 'Filter cartridge', exact: true }).waitFor();
    await expect.poll(() => lines.getByTestId('quote-total').innerText()).toBe('$200.00');
    await expectAccessible(page, 'draft invoice');

    await page.getByRole('button', { name: 'Post', exact: true }).click();
    const heading = page.getByRole('heading', { level: 1, name: /^INV-\d{4}-\d{5}$/ });
    await heading.waitFor();
    await lines.getByText('Posted invoices are locked: correct them with a credit note.').waitFor();
    expect(await lines.getByText('Add a product').count()).toBe(0);
    // A posted invoice is credited or voided, never deleted.
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    const posted = await h.api('GET', `/invoice/${draft.id}`);
    expect(posted).toMatchObject({ status: 'posted', total: 200, open_amount: 200 });
    expect(await heading.innerText()).toBe(posted.number);

    await page.getByRole('button', { name: 'Credit…' }).click();
    const dialog = page.getByRole('dialog', { name: `Credit ${posted.number}` });
    await dialogOpened(dialog);
    const quantity = dialog.getByRole('textbox', { name: 'Quantity to credit of Filter cartridge' });
    await quantity.fill('2');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Two cartridges returned');
    await expectAccessible(page, 'credit dialog');
    await screenshot(page, 'invoice-credit');
    await dialog.getByRole('button', { name: 'Post credit note' }).click();
    await page.getByText(/^Credit note CN-\d{4}-\d{5} posted$/).waitFor();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await h.api('GET', `/invoice/${draft.id}`)).open_amount).toBe(120);

    const pdf = page.getByRole('link', { name: 'Download PDF' });
    const href = await pdf.getAttribute('href');
    expect(href).toBe(`/api/v1/invoices/${draft.id}/pdf`);
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect((await res.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await expectAccessible(page, 'posted invoice');
    await screenshot(page, 'invoice-page');
  });

  test('a completed order waiting for the monthly run is invoiced from its page at the price it was sold at', async () => {
    const { page } = h;
    await page.goto(`/o/order/${order.id}`);
    await page.getByRole('heading', { level: 1, name: order.name }).waitFor();
    await page.getByRole('button', { name: 'Create invoice' }).click();
    await page.getByRole('heading', { level: 1, name: 'Draft' }).waitFor();
    const lines = page.getByRole('region', { name: 'Lines' });
    await lines.getByRole('cell', { name: 'Filter cartridge', exact: true }).waitFor();
    await expect.poll(() => lines.getByTestId('quote-total').innerText()).toBe('$114.00');
    expect((await h.api('GET', `/order/${order.id}`)).invoice).toBe(page.url().split('/').pop());
    await page.goto(`/o/order/${order.id}`);
    await page.getByRole('heading', { level: 1, name: order.name }).waitFor();
    expect(await page.getByRole('button', { name: 'Create invoice' }).count()).toBe(0);
  });
});
