import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, input, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Issue 17 items 7 and 9: list columns from the object's definition; the board's column headers
 * from the server (count, totals), sticky while scrolling; closing moves the close date; money
 * formatted in the close dialog.
 */
describe('lists and board', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.api('POST', '/task', { subject: 'Call the fleet manager', status: 'not_started', due_date: '2027-02-01' });
    for (let i = 0; i < 30; i++) await h.api('POST', '/opportunity', { name: `Board deal ${i}`, amount: 1000, currency: 'USD', close_date: '2027-03-31', stage: 'proposal' });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('default list columns come from the definition; task status is not truncated', async () => {
    const { page } = h;
    await page.goto('/o/opportunity');
    const table = page.getByRole('table', { name: 'Opportunities list' });
    await table.getByRole('link', { name: 'Board deal 0', exact: true }).waitFor();
    const headers = (await table.getByRole('columnheader').allInnerTexts()).map((t) => t.replace(/[▲▼]/g, '').trim()).filter(Boolean);
    expect(headers).toEqual(['Opportunity name', 'Stage', 'Close date', 'Owner', 'Amount']);
    // A linked record's name opens it; its pencil edits the link.
    const ownerCell = table.locator('tbody tr').first().locator('td[data-column="owner"]');
    await ownerCell.getByRole('link').first().waitFor();
    expect(await ownerCell.getByRole('link').first().getAttribute('href')).toMatch(/^\/o\/user\//);
    await ownerCell.getByRole('button', { name: /^Owner of Board deal .*Edit$/ }).click();
    await page.locator('[data-inline-editor="owner"]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-inline-editor="owner"]').waitFor({ state: 'detached' });

    await page.goto('/o/task');
    const tasks = page.getByRole('table', { name: 'Tasks list' });
    await tasks.getByRole('link', { name: 'Call the fleet manager' }).waitFor();
    const headersT = (await tasks.getByRole('columnheader').allInnerTexts()).map((t) => t.replace(/[▲▼]/g, '').trim()).filter(Boolean);
    expect(headersT).not.toContain('Reminder (minutes before)');
    const status = tasks.locator('td[data-column="status"]').first();
    await expect.poll(() => status.innerText()).toBe('Not started');
    // Neither cut off sideways nor clamped: the text's box holds all of it.
    const clipped = await status.evaluate((td) => [td, ...Array.from(td.querySelectorAll('*'))].some((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1));
    expect(clipped).toBe(false);
    await expectAccessible(page, 'task list');
  });

  test('a list counts its records, searches within itself, keeps filter, sort and search in the URL, and offers a way out of an empty result', async () => {
    const { page } = h;
    await page.goto('/o/opportunity');
    const table = page.getByRole('table', { name: 'Opportunities list' });
    await table.getByRole('link', { name: 'Board deal 0', exact: true }).waitFor();
    await expect.poll(() => page.getByTestId('list-count').innerText()).toBe('30 opportunities');
    await page.getByRole('searchbox', { name: 'Search in opportunities' }).fill('deal 1');
    // "deal 1", "deal 10" … "deal 19": eleven.
    await expect.poll(() => page.getByTestId('list-count').innerText()).toBe('11 opportunities');
    await table.getByRole('columnheader', { name: 'Amount' }).getByRole('button').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('amount');
    expect(new URL(page.url()).searchParams.get('q')).toBe('deal 1');
    // A reload (or the link sent to a colleague) shows the same list.
    await page.reload();
    await expect.poll(() => page.getByTestId('list-count').innerText()).toBe('11 opportunities');
    expect(await page.getByRole('searchbox', { name: 'Search in opportunities' }).inputValue()).toBe('deal 1');
    // Nothing matches: clear the filters, or add one.
    await page.getByRole('searchbox', { name: 'Search in opportunities' }).fill('no such deal');
    await page.getByText('No opportunities match.').waitFor();
    await page.getByRole('link', { name: 'Add a new opportunity' }).waitFor();
    await expectAccessible(page, 'empty list');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('list-count').innerText()).toBe('30 opportunities');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBeNull();
  });

  test('the list is one tab stop; arrows move between rows and cells; Esc in a cell edit returns to the cell', async () => {
    const { page } = h;
    await page.goto('/o/opportunity');
    const table = page.getByRole('table', { name: 'Opportunities list' });
    await table.getByRole('link', { name: 'Board deal 0', exact: true }).waitFor();
    const active = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');
    // From the last column header, one Tab enters the rows and the next leaves them.
    await table.getByRole('columnheader').last().locator('button').focus();
    await page.keyboard.press('Tab');
    const first = await active();
    expect(first).toMatch(/^Select /);
    await page.keyboard.press('ArrowRight');
    const name = await active();
    expect(name).toMatch(/^Board deal /);
    await page.keyboard.press('ArrowDown');
    expect(await active()).not.toBe(name);
    expect(await active()).toMatch(/^Board deal /);
    await page.keyboard.press('ArrowRight');
    expect(await active()).toMatch(/^Stage of Board deal .*Edit$/);
    // Editing from the keyboard, then Esc: back on the cell, nothing saved.
    await page.keyboard.press('Enter');
    await page.locator('[data-inline-editor="stage"]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-inline-editor="stage"]').waitFor({ state: 'detached' });
    await expect.poll(active).toMatch(/^Stage of Board deal .*Edit$/);
    // Only one control of all rows is in the tab order.
    expect(await table.locator('tbody').evaluate((b) => Array.from(b.querySelectorAll<HTMLElement>('a[href], button, input, [tabindex]')).filter((el) => el.tabIndex >= 0).length)).toBe(1);
    await page.keyboard.press('Tab');
    expect(await table.locator('tbody').evaluate((b) => b.contains(document.activeElement))).toBe(false);
  });

  test("the board's headers show the server's count and totals and stay in view; cards show close date and owner", async () => {
    const { page } = h;
    const summary = await h.api('POST', '/sales/board-summary', {});
    const proposal = summary.stages.find((s: { stage: string }) => s.stage === 'proposal');
    expect(proposal.count).toBe(30);
    await page.goto('/o/opportunity/board');
    const column = page.locator('[data-column="proposal"]');
    const header = column.getByTestId('column-header');
    // 30 deals, though only 25 cards are loaded: the count is the server's, not "25+".
    await header.getByText('30', { exact: true }).waitFor();
    await header.getByText(/^\$30,000\.00 · weighted \$[\d,]+\.\d\d$/).waitFor();
    const card = column.locator('.kanban-card').first();
    await card.getByText('Close date').waitFor();
    await card.getByText('Owner').waitFor();
    // Scroll the board: the header stays at the top of the board's viewport.
    const board = page.getByRole('list', { name: 'Opportunities board' });
    await board.evaluate((el) => el.scrollTo({ top: 1500 }));
    await expect.poll(async () => (await board.evaluate((el) => el.scrollTop)) > 500).toBe(true);
    const [boardBox, headerBox] = [await board.boundingBox(), await header.boundingBox()];
    expect(headerBox!.y).toBeGreaterThanOrEqual(boardBox!.y - 1);
    expect(headerBox!.y).toBeLessThan(boardBox!.y + 20);
    await expect.poll(() => header.evaluate((el) => { const r = el.getBoundingClientRect(); return document.elementFromPoint(r.x + 20, r.y + r.height / 2)?.closest('[data-testid="column-header"]') === el; })).toBe(true);
    // At 1280 px at least four columns are in view.
    const inView = await page.locator('.kanban-column').evaluateAll((cols) => cols.filter((c) => c.getBoundingClientRect().right <= window.innerWidth).length);
    expect(inView).toBeGreaterThanOrEqual(4);
    await expectAccessible(page, 'board with totals');
  });

  test("any object's board counts each column on the server", async () => {
    const { page } = h;
    for (let i = 0; i < 26; i++) await h.api('POST', '/task', { subject: `Board task ${i}`, status: 'not_started' });
    await page.goto('/o/task/board');
    // 27 tasks, 25 cards loaded: the generic count answers, not "25+".
    await page.locator('[data-column="not_started"]').getByTestId('column-header').getByText('27', { exact: true }).waitFor();
  });

  test('closing as lost on the board moves a future close date to today', async () => {
    const { page } = h;
    const deal = await h.api('POST', '/opportunity', { name: 'Far future deal', amount: 5000, close_date: '2027-12-31', stage: 'negotiation' });
    await page.goto('/o/opportunity/board');
    await page.getByRole('button', { name: 'Move Far future deal' }).click();
    await page.getByRole('menuitem', { name: 'Closed lost' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close Far future deal' });
    await input(dialog, 'Lost reason').click();
    await page.getByRole('option').first().click();
    await dialog.getByRole('button', { name: 'Close as lost' }).click();
    await dialog.waitFor({ state: 'detached' });
    const today = new Date().toISOString().slice(0, 10);
    await expect.poll(async () => (await h.api('GET', `/opportunity/${deal.id}`)).close_date).toBe(today);
    await page.locator('[data-column="closed_lost"]').getByTestId('column-header').getByText('1', { exact: true }).waitFor();
  });

  test('the partially-won dialog formats money', async () => {
    const { page } = h;
    const deal = await h.api('POST', '/opportunity', { name: 'Partial deal', amount: 43500, currency: 'USD', close_date: '2027-06-30', stage: 'negotiation' });
    await page.goto(`/o/opportunity/${deal.id}`);
    await page.getByRole('button', { name: 'Close deal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close Partial deal' });
    await dialog.getByText('Partially won').click();
    await dialog.getByText('Of $43,500.00').waitFor();
    expect(await dialog.getByText('Of 43500').count()).toBe(0);
  });
});
