import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Payments in the web app (issue 13 items 1 and 9): a payment recorded from the account page with
 * the allocation grid — oldest first previewed, then by hand, an over-allocation caught before
 * saving — lands on the payment's page with where it went; its credit is refunded and the payment
 * reversed, which reopens the invoices it paid.
 */
describe('payments', () => {
  let h: Harness;
  let account: { id: string };
  const invoices: Array<{ id: string; number: string }> = [];

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const book = await h.api('POST', '/price_book', { name: 'Payments USD', currency: 'USD', is_standard: true });
    const product = await h.api('POST', '/product', { code: 'SVC-PAY', name: 'Service visit', unit_of_measure: unit });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: product.id, unit_price: '50.00' });
    account = await h.api('POST', '/account', { name: 'Lakeside Dental', currency: 'USD', payment_terms: 'net_30' });
    for (const quantity of [2, 1]) {
      const draft = (await h.api('POST', '/invoices', { invoice: { account: account.id }, lines: [{ product: product.id, quantity }] })).invoice;
      const posted = await h.api('POST', `/invoices/${draft.id}/post`, {});
      invoices.push({ id: draft.id, number: posted.number });
    }
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test('record a payment with the allocation grid, refund its credit, then reverse it', async () => {
    const { page } = h;
    await page.goto(`/o/account/${account.id}`);
    await page.getByRole('heading', { level: 1, name: 'Lakeside Dental' }).waitFor();
    await page.getByRole('button', { name: 'Record payment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Record a payment' });
    await dialogOpened(dialog);
    // A thousands separator is explained where the user looks, not only by a disabled button.
    await dialog.getByRole('textbox', { name: 'Amount' }).fill('1,000');
    await dialog.getByText('Type digits with a decimal point and at most 2 decimals, e.g. 1250.00 — no thousands separators').waitFor();
    await dialog.getByRole('textbox', { name: 'Amount' }).fill('130');
    await dialog.getByRole('textbox', { name: 'Reference' }).fill('CHK 4411');
    // Oldest first, previewed: the first invoice in full, the rest on the second.
    const first = dialog.getByRole('textbox', { name: `Apply to ${invoices[0]!.number}` });
    const second = dialog.getByRole('textbox', { name: `Apply to ${invoices[1]!.number}` });
    await expect.poll(() => first.inputValue()).toBe('100.00');
    expect(await second.inputValue()).toBe('30.00');
    await dialog.getByText('Allocated $130.00', { exact: true }).waitFor();

    await dialog.getByText('By hand', { exact: true }).click();
    await second.fill('50');
    await dialog.getByText('Allocated $150.00 · $20.00 more than the payment').waitFor();
    expect(await dialog.getByRole('button', { name: 'Record payment' }).isDisabled()).toBe(true);
    await first.fill('60');
    await dialog.getByText("Allocated $110.00 · $20.00 left as the customer's credit").waitFor();
    await expectAccessible(page, 'record payment dialog');
    await screenshot(page, 'payment-record');
    await dialog.getByRole('button', { name: 'Record payment' }).click();

    const heading = page.getByRole('heading', { level: 1, name: /^PAY-\d{4}-\d{5}$/ });
    await heading.waitFor();
    // Only the commands change a payment: no Edit, no Delete.
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);
    const paid = page.getByRole('table', { name: 'Invoices paid' });
    await paid.getByRole('link', { name: invoices[0]!.number }).waitFor();
    await paid.getByRole('link', { name: invoices[1]!.number }).waitFor();
    expect(await h.api('GET', `/invoice/${invoices[1]!.id}`)).toMatchObject({ status: 'paid', open_amount: 0 });
    expect(await h.api('GET', `/invoice/${invoices[0]!.id}`)).toMatchObject({ status: 'partially_paid', open_amount: 40 });
    await expectAccessible(page, 'payment page');

    await page.getByRole('button', { name: 'Refund…' }).click();
    const refund = page.getByRole('dialog', { name: /^Refund from PAY-/ });
    await dialogOpened(refund);
    await refund.getByRole('textbox', { name: 'Amount' }).fill('25');
    await refund.getByRole('button', { name: 'Record refund' }).click();
    await refund.getByText(/unallocated/).first().waitFor();
    await refund.getByRole('textbox', { name: 'Amount' }).fill('20');
    await refund.getByRole('button', { name: 'Record refund' }).click();
    await refund.waitFor({ state: 'detached' });
    await page.getByText(/^Refunded: \$20\.00 on /).waitFor();
    expect(await page.getByRole('button', { name: 'Refund…' }).count()).toBe(0);

    // A refunded payment cannot be reversed; a second payment can.
    const second2 = await h.api('POST', '/payments', { account: account.id, amount: '40', method: 'check', reference: 'CHK 4412' });
    await page.goto(`/o/payment/${second2.payment.id}`);
    await page.getByRole('heading', { level: 1, name: second2.payment.name }).waitFor();
    expect(await h.api('GET', `/invoice/${invoices[0]!.id}`)).toMatchObject({ status: 'paid' });
    await page.getByRole('button', { name: 'Reverse…' }).click();
    const reverse = page.getByRole('dialog', { name: 'Reverse the payment' });
    await dialogOpened(reverse);
    await reverse.getByRole('textbox', { name: 'Reason' }).fill('Check bounced');
    await reverse.getByRole('button', { name: 'Reverse payment' }).click();
    await reverse.waitFor({ state: 'detached' });
    await page.getByText(`${second2.payment.name} was reversed`).waitFor();
    await page.getByText('Reversed', { exact: true }).first().waitFor();
    expect(await h.api('GET', `/invoice/${invoices[0]!.id}`)).toMatchObject({ status: 'partially_paid', open_amount: 40 });
  });
});
