import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Orders in the web app (issue 12 items 4 and 10): an order's page with its lines and commands,
 * holds released with a comment, and the production board — moves by drag and by keyboard through
 * the order's commands, a refused move shown with the card left in place, a production team filter.
 */
describe('orders and the production board', () => {
  let h: Harness;
  let welded: { id: string; name: string };
  let held: { id: string; name: string };
  let accountId: string;

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const book = await h.api('POST', '/price_book', { name: 'Orders USD', currency: 'USD', is_standard: true });
    const product = await h.api('POST', '/product', { code: 'BRK-10', name: 'Bracket assembly', unit_of_measure: unit });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: product.id, unit_price: '120.00' });
    const team = await h.api('POST', '/production_team', { name: 'Welding' });
    const account = await h.api('POST', '/account', { name: 'Harbor Works', currency: 'USD' });
    const create = async (po: string, line: Record<string, unknown>) =>
      (await h.api('POST', '/orders', { order: { account: account.id, currency: 'USD', po_number: po, requested_date: '2027-05-14' }, lines: [{ product: product.id, quantity: 3, ...line }] })).order;
    accountId = account.id;
    welded = await create('PO-7781', { team: team.id, specs: 'Galvanised, M10 holes' });
    held = await create('PO-7790', {});
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const status = async (id: string) => (await h.api('GET', `/order/${id}`)).status as string;
  const column = (value: string) => h.page.locator(`.kanban-column[data-column="${value}"]`);
  const card = (value: string, id: string) => column(value).locator(`[data-order-card="${id}"]`);

  test("an order's page shows its lines and confirms it; the change is on its timeline", async () => {
    const { page } = h;
    await page.goto(`/o/order/${welded.id}`);
    await page.getByRole('heading', { level: 1, name: welded.name }).waitFor();
    const lines = page.getByRole('region', { name: 'Lines' });
    await lines.getByRole('cell', { name: /^Bracket assembly/ }).waitFor();
    await lines.getByText('Team: Welding · Galvanised, M10 holes').waitFor();
    await expect.poll(() => lines.getByTestId('quote-total').innerText()).toBe('$360.00');
    // Lines change while the order is received or confirmed.
    await input(lines, 'Add a product').waitFor();
    await expectAccessible(page, 'order page');
    await screenshot(page, 'order-page');

    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await page.getByRole('button', { name: 'Start production' }).waitFor();
    expect(await status(welded.id)).toBe('confirmed');
    await page.getByText('Status changed from Received to Confirmed').first().waitFor();
  });

  test("a confirmed order's job ticket opens as a PDF, and a reprint without a production channel says so", async () => {
    const { page } = h;
    await page.goto(`/o/order/${welded.id}`);
    await page.getByRole('button', { name: 'Job ticket' }).click();
    const dialog = page.getByRole('dialog', { name: /^Job ticket of/ });
    await dialog.getByText('Nothing was sent').waitFor();
    const href = await dialog.getByRole('link', { name: 'Open PDF' }).getAttribute('href');
    const pdf = await page.request.get(href!);
    expect([pdf.status(), pdf.headers()['content-type']]).toEqual([200, 'application/pdf']);
    await expectAccessible(page, 'job ticket dialog');
    await dialog.getByRole('button', { name: 'Reprint' }).click();
    await page.getByText('Reprint failed').waitFor();
    await page.keyboard.press('Escape');
  });

  test('a held order shows why, cannot be confirmed on the board, and is released with a comment', async () => {
    const { page } = h;
    await page.goto(`/o/order/${held.id}`);
    await page.getByRole('heading', { level: 1, name: held.name }).waitFor();
    await page.getByRole('button', { name: 'Hold' }).click();
    let dialog = page.getByRole('dialog', { name: 'Put the order on hold' });
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Customer asked to check the drawings');
    await dialog.getByRole('button', { name: 'Hold' }).click();
    const banner = page.getByTestId('hold-banner');
    await banner.getByText('Customer asked to check the drawings').waitFor();
    await banner.getByText('(by user)').waitFor();
    await expectAccessible(page, 'held order');

    // On the board: the card carries the hold; the move to Confirmed is refused and the card stays.
    await page.getByRole('navigation', { name: 'My work' }).getByRole('link', { name: 'Production board' }).click();
    await page.getByRole('heading', { level: 1, name: 'Production board' }).waitFor();
    const heldCard = card('received', held.id);
    await heldCard.getByText('On hold').waitFor();
    await heldCard.getByRole('button', { name: `Move ${held.name}` }).click();
    await page.getByRole('menuitem', { name: 'Confirmed' }).click();
    await page.getByText('This order is on hold; release it first').waitFor();
    await heldCard.waitFor();
    await expect.poll(() => heldCard.getAttribute('aria-busy')).toBeNull();
    expect(await status(held.id)).toBe('received');

    await heldCard.getByRole('link', { name: held.name }).click();
    await page.getByRole('button', { name: 'Release' }).click();
    dialog = page.getByRole('dialog', { name: 'Release the order' });
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: 'Comment' }).fill('Drawings checked with the customer');
    await dialog.getByRole('button', { name: 'Release' }).click();
    await banner.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Hold' }).waitFor();
    expect((await h.api('GET', `/order/${held.id}`)).on_hold).toBe(false);
  });

  test('the board moves orders by drag and by keyboard, refuses a move back, and filters by team', async () => {
    const { page } = h;
    await page.goto('/o/order');
    await page.getByRole('link', { name: 'Production board' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Production board' }).waitFor();
    await card('confirmed', welded.id).getByText('PO-7781').waitFor();
    await card('confirmed', welded.id).getByText('$360.00').waitFor();
    await expect.poll(() => column('confirmed').getByTestId('column-header').innerText()).toMatch(/Confirmed\s+1/);
    await expectAccessible(page, 'production board');
    await screenshot(page, 'production-board');

    // Dragged to In production.
    await card('confirmed', welded.id).dragTo(column('in_production'));
    await card('in_production', welded.id).waitFor();
    expect(await status(welded.id)).toBe('in_production');

    // With the keyboard: the card's menu, then Completed; focus follows the card.
    const menu = card('in_production', welded.id).getByRole('button', { name: `Move ${welded.name}` });
    await menu.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Completed' }).press('Enter');
    await card('completed', welded.id).waitFor();
    expect(await status(welded.id)).toBe('completed');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Move ${welded.name}`);

    // Back to Received is refused: the message is shown and the card stays.
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Received' }).press('Enter');
    await page.getByText(/cannot be moved back to received/).first().waitFor();
    await card('completed', welded.id).waitFor();
    expect(await status(welded.id)).toBe('completed');

    // Only orders with a line of the team.
    await card('received', held.id).waitFor();
    await input(page, 'Production team').fill('Weld');
    await page.getByRole('option', { name: 'Welding' }).click();
    await card('received', held.id).waitFor({ state: 'detached' });
    await card('completed', welded.id).waitFor();

    // Cancelled orders are folded away; a cancel asks for the reason.
    await page.getByRole('button', { name: 'All teams' }).click();
    await card('received', held.id).waitFor();
    await card('received', held.id).getByRole('button', { name: `Move ${held.name}` }).click();
    await page.getByRole('menuitem', { name: 'Cancelled' }).click();
    const dialog = page.getByRole('dialog', { name: `Cancel ${held.name}` });
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Customer withdrew');
    await dialog.getByRole('button', { name: 'Cancel order' }).click();
    await card('received', held.id).waitFor({ state: 'detached' });
    expect((await h.api('GET', `/order/${held.id}`)).cancel_reason).toBe('Customer withdrew');
    await column('cancelled').getByRole('button', { name: 'Show cancelled orders' }).click();
    await card('cancelled', held.id).waitFor();
  });

  test('at phone width the order page and the board fit the screen', async () => {
    const { page } = h;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`/o/order/${welded.id}`);
      await page.getByRole('region', { name: 'Lines' }).getByRole('cell', { name: /^Bracket assembly/ }).waitFor();
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
      await expectAccessible(page, 'order page at 390 px');
      await page.goto('/orders/board');
      await card('completed', welded.id).waitFor();
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
      await expectAccessible(page, 'production board at 390 px');
      await card('completed', welded.id).scrollIntoViewIfNeeded();
      await screenshot(page, 'production-board-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });

  test("the completed order was invoiced by itself (per PO), and the account's page shows what is open and owed", async () => {
    const { page } = h;
    // The account invoices per PO: completing the order posted its invoice through the outbox.
    await expect.poll(async () => (await h.api('GET', `/order/${welded.id}`)).invoice ?? null).not.toBeNull();
    await page.goto(`/o/account/${accountId}`);
    const owed = page.locator('[data-stat="Open invoices"]');
    await expect.poll(() => owed.innerText()).toContain('$360.00');
    await owed.getByRole('link', { name: '1 open' }).waitFor();
    await expect.poll(() => page.locator('[data-stat="Open orders"]').innerText()).toContain('0 open');
    await expectAccessible(page, 'account with open invoices');
    await owed.getByRole('link', { name: '1 open' }).click();
    await page.getByRole('link', { name: /^INV-\d{4}-\d{5}$/ }).first().waitFor();
  });

  test('finance runs the monthly invoicing from the invoice runs list, reached from the invoices list', async () => {
    const { page } = h;
    await page.goto('/o/invoice');
    await page.getByRole('link', { name: 'Invoice runs' }).click();
    await page.getByRole('button', { name: 'Run invoicing…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run the monthly invoicing' });
    await dialog.getByLabel('Month').fill('2026-11');
    await dialog.getByRole('button', { name: 'Run now' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: 'Invoices for 2026-11' }).waitFor();
    await expectAccessible(page, 'invoice runs');
  });
});
