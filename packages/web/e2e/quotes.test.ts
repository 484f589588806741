import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * A rep prices a deal and builds its quote (issue 11 item 12): products added from the catalogue
 * (priced by the account's book, the deal's amount following), a quote made from the deal, a
 * quantity changed with the server's new total, a line moved with the keyboard, the quote sent and
 * then locked.
 */
describe('deal products and the quote builder', () => {
  let h: Harness;
  let opp: { id: string };

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const book = await h.api('POST', '/price_book', { name: 'Builder USD', currency: 'USD', is_standard: true });
    for (const [code, name, price] of [['GEN-20', 'Generator 20 kW', '8400.00'], ['ATS-100', 'Transfer switch', '1250.00'], ['SVC-COMM', 'Commissioning', '600.00']]) {
      const p = await h.api('POST', '/product', { code, name, unit_of_measure: unit });
      await h.api('POST', '/price_book_entry', { price_book: book.id, product: p.id, unit_price: price });
    }
    const account = await h.api('POST', '/account', { name: 'Lakeside Clinic', currency: 'USD' });
    opp = await h.api('POST', '/opportunity', { name: 'Clinic standby power', account: account.id, currency: 'USD', close_date: '2027-04-30', stage: 'proposal', amount: 1 });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const addProduct = async (name: string, quantity: number) => {
    const { page } = h;
    const panel = page.getByRole('region', { name: /^(Products|Lines)$/ });
    await input(panel, 'Add a product').fill(name.split(' ')[0]!);
    await page.getByRole('option', { name }).click();
    await panel.getByRole('textbox', { name: 'Quantity', exact: true }).fill(String(quantity));
    await panel.getByRole('button', { name: 'Add' }).click();
    await panel.getByRole('cell', { name, exact: true }).waitFor();
  };

  test('products on the deal set its amount; a quote from it is edited, reordered and sent', async () => {
    const { page } = h;
    await page.goto(`/o/opportunity/${opp.id}`);
    await page.getByRole('region', { name: 'Products' }).getByText(/No products yet/).waitFor();
    await addProduct('Generator 20 kW', 1);
    await addProduct('Transfer switch', 2);
    await expect.poll(async () => (await h.api('GET', `/opportunity/${opp.id}`)).amount).toBe(10900);
    await expectAccessible(page, 'deal products');

    await page.getByRole('button', { name: 'New quote' }).click();
    await page.getByRole('heading', { level: 1, name: /^Q-/ }).waitFor();
    const quoteId = page.url().split('/').pop()!;
    const lines = page.getByRole('region', { name: 'Lines' });
    await lines.getByRole('cell', { name: 'Transfer switch', exact: true }).waitFor();
    const total = lines.getByTestId('quote-total');
    await expect.poll(() => total.innerText()).toBe('$10,900.00');

    // A quantity changed: the total is the server's.
    const qty = lines.getByRole('textbox', { name: 'Quantity of Transfer switch' });
    await qty.fill('3');
    await qty.press('Enter');
    await expect.poll(() => total.innerText()).toBe('$12,150.00');
    expect((await h.api('GET', `/quote/${quoteId}`)).total).toBe(12150);

    // Another line, then moved to the top with the keyboard.
    await addProduct('Commissioning', 1);
    const order = async () => (await h.api('GET', `/quotes/${quoteId}`)).lines.map((l: { unit_price: number }) => l.unit_price);
    await expect.poll(order).toEqual([8400, 1250, 600]);
    await lines.getByRole('button', { name: 'Move Commissioning up' }).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(order).toEqual([8400, 600, 1250]);
    // The keyboard stays on the moved line.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move Commissioning up');
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(order).toEqual([600, 8400, 1250]);
    // The mouse's way: Commissioning's handle dragged onto the last line puts it last — once the
    // table shows the keyboard's move (the API answered first) and the handle is draggable again.
    await expect.poll(() => lines.locator('tbody tr').first().getByRole('cell').nth(1).innerText()).toBe('Commissioning');
    const firstLine = await lines.locator('tbody tr').first().getAttribute('data-line');
    const handle = lines.locator(`[data-drag="${firstLine}"]`);
    await expect.poll(() => handle.getAttribute('draggable')).toBe('true');
    await handle.dragTo(lines.locator('tbody tr').last());
    await expect.poll(order).toEqual([8400, 1250, 600]);
    await expect.poll(() => lines.locator('tbody tr').last().getByRole('cell').nth(1).innerText()).toBe('Commissioning');
    await expectAccessible(page, 'quote builder');
    await screenshot(page, 'quote-builder');

    // At phone width the totals stay on the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await lines.getByTestId('quote-total').waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    await lines.getByTestId('quote-total').scrollIntoViewIfNeeded();
    const box = await lines.getByTestId('quote-total').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.getByRole('button', { name: 'Mark sent' }).click();
    await lines.getByText('Sent quotes are locked: revise to change them.').waitFor();
    expect(await lines.getByText('Add a product').count()).toBe(0);
    await page.getByRole('button', { name: 'Revise' }).waitFor();
  });

  test("a rep's discounted quote waits for their manager, who rejects it with a reason on the quote and approves it in the Approvals panel", async () => {
    const { page } = h;
    const ada = (await h.api('GET', `/user?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'ada@example.com' }))}`)).data[0].id;
    const rep = await h.server.createUser({ email: 'rita@example.com', password: 'rep-password-123', profile: 'standard', lastName: 'Rep' });
    await h.api('PATCH', `/user/${rep.id}`, { manager: ada });
    const gen = (await h.api('GET', `/product?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'GEN-20' }))}`)).data[0].id;
    const account = await h.api('POST', '/account', { name: 'Harbour Hospital', currency: 'USD' });
    const { quote } = await h.api('POST', '/quotes', { quote: { account: account.id, discount_percent: 30 }, lines: [{ product: gen, quantity: 1 }] });
    await h.api('PATCH', `/quote/${quote.id}`, { owner: rep.id });
    const asRep = (url: string) => fetch(`${h.server.url}/api/v1${url}`, { method: 'POST', headers: { authorization: `Bearer ${rep.token}`, 'content-type': 'application/json' }, body: '{}' }).then((r) => r.json());
    expect((await asRep(`/quotes/${quote.id}/send`)).status).toBe('pending_approval');

    await page.goto(`/o/quote/${quote.id}`);
    const panel = page.getByRole('region', { name: 'Approvals' });
    await panel.getByText(/Waiting for approval at step “Owner's manager”/).waitFor();
    await page.locator('button', { hasText: /^Reject$/ }).first().click();
    const reject = page.getByRole('dialog', { name: 'Reject the discount' });
    await reject.getByRole('textbox', { name: 'Why?' }).fill('Thirty percent is too much');
    await reject.getByRole('button', { name: 'Reject' }).click();
    await reject.waitFor({ state: 'detached' });
    await expect.poll(async () => (await h.api('GET', `/quote/${quote.id}`)).status).toBe('draft');
    expect((await h.api('GET', `/quote/${quote.id}`)).approval_comment).toBe('Thirty percent is too much');

    expect((await asRep(`/quotes/${quote.id}/send`)).status).toBe('pending_approval');
    await page.reload();
    await panel.getByRole('button', { name: 'Approve' }).click();
    const approve = page.getByRole('dialog', { name: 'Approve' });
    await approve.getByRole('textbox', { name: 'Comment' }).fill('Strategic account');
    await approve.getByRole('button', { name: 'Approve' }).click();
    await approve.waitFor({ state: 'detached' });
    await expect.poll(async () => (await h.api('GET', `/quote/${quote.id}`)).status).toBe('approved');
    await page.getByRole('button', { name: 'Mark sent' }).waitFor();
    await expectAccessible(page, 'approved quote with its approvals');
  });
});
