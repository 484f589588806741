import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Forecasting in the browser (issue 16 items 6-9): the forecast page (a manager adjusts a rep's
 * number with a reason and sets a quota), the three-pillar grid typed with the keyboard and copied
 * forward, the weekly behaviour chart and its table on the account page; axe-clean, and at 390 px.
 */
describe('forecasting', () => {
  let h: Harness;
  let rep: { id: string };
  let account: { id: string };
  const next = new Date().getUTCFullYear() + 1;

  beforeAll(async () => {
    h = await startHarness();
    await h.api('POST', '/roles', { name: 'sales_manager', label: 'Sales manager' });
    await h.api('POST', '/roles', { name: 'sales_rep', label: 'Sales rep', parent: 'sales_manager' });
    rep = await h.server.createUser({ email: 'rita@example.com', password: 'rita-password-123', profile: 'standard', firstName: 'Rita', lastName: 'Rep' });
    await h.api('PATCH', `/user/${rep.id}`, { role: 'sales_rep' });
    account = await h.api('POST', '/account?allowDuplicate=true', { name: 'Acme Printing' });
    await h.api('POST', '/opportunity', { name: 'Acme brochures', account: account.id, owner: rep.id, stage: 'closed_won', amount: '2000', close_date: `${next}-02-10` });
    await h.api('POST', '/opportunity', { name: 'Acme signage', account: account.id, owner: rep.id, stage: 'negotiation', amount: '1500', close_date: `${next}-03-01` });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const noSidewaysScroll = (h: Harness) => h.page.evaluate(() => [document.documentElement, ...Array.from(document.querySelectorAll('main, main > *'))]
    .filter((el) => el.scrollWidth > window.innerWidth + 1).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}`));
  const atPhoneWidth = async (name: string) => {
    await h.page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => noSidewaysScroll(h)).toEqual([]);
    await expectAccessible(h.page, name);
    await h.page.setViewportSize({ width: 1280, height: 860 });
  };

  test('the forecast: roll-up grid, an adjustment with its reason, a quota', async () => {
    const { page } = h;
    await page.goto('/forecast');
    const grid = page.getByRole('table', { name: 'Forecast by period and owner (team numbers)' });
    await grid.getByRole('rowheader', { name: 'Rita Rep' }).waitFor();
    const detail = page.getByRole('table', { name: `Forecast categories in ${next}-Q1` });
    const rita = detail.getByRole('row', { name: /Rita Rep/ });
    await rita.getByRole('cell', { name: '$3,500.00' }).first().waitFor();
    await expectAccessible(page, 'forecast');
    await atPhoneWidth('forecast (phone)');
    await rita.getByRole('button', { name: `Adjust Rita Rep's forecast for ${next}-Q1` }).click();
    const dialog = page.getByRole('dialog');
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: /^Forecast/ }).fill('4200');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Say why the number changes').waitFor();
    await dialog.getByRole('textbox', { name: /^Reason/ }).fill('Signed letter of intent');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await rita.getByText('adjusted').waitFor();
    const history = await h.api('GET', `/forecasting/adjustments?user=${rep.id}&period=${next}-Q1`);
    expect(history.data.map((a: any) => [a.amount, a.computed, a.reason])).toEqual([['4200.00', '3500.00', 'Signed letter of intent']]);
    await rita.getByRole('button', { name: `Set Rita Rep's quota for ${next}-Q1` }).click();
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: /^Quota/ }).fill('8000');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await rita.getByRole('cell', { name: '25 %' }).waitFor();
    await screenshot(page, 'forecasting-forecast');
  });

  test('the three-pillar grid: typed with the keyboard, copied forward, totalled, saved; actuals beside', async () => {
    const { page } = h;
    await page.goto('/forecast/pillars');
    await page.getByRole('checkbox', { name: 'Only my accounts' }).uncheck();
    const january = page.getByRole('textbox', { name: 'Acme Printing, New sales, January' });
    await january.fill('100');
    await january.press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Acme Printing, Account management, January');
    await page.keyboard.type('250.50');
    await page.getByRole('button', { name: 'Copy forward: Acme Printing, New sales' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Acme Printing, New sales, December' }).inputValue()).toBe('100');
    const totals = page.getByRole('row', { name: /^Plan: all pillars/ });
    await totals.getByRole('cell', { name: '$1,450.50' }).waitFor();
    await page.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(async () => (await h.api('GET', `/forecasting/pillars?year=${next}`)).rows.find((r: any) => r.account === account.id)?.plan.new_sales[11]).toBe('100.00');
    // The won deal of February is revenue from a new customer.
    await page.getByRole('row', { name: /^Won deals: New sales/ }).getByRole('cell', { name: '$2,000.00' }).first().waitFor();
    await expectAccessible(page, 'three-pillar forecast');
    await screenshot(page, 'forecasting-pillars');
    await atPhoneWidth('three-pillar forecast (phone)');
  });

  test("the account page shows the weekly behaviour as a chart and as a table", async () => {
    const { page } = h;
    await h.api('POST', '/forecasting/snapshots', { week: '2026-11-16' });
    await h.api('POST', '/forecasting/snapshots', { week: '2026-11-23' });
    await page.goto(`/o/account/${account.id}`);
    await page.getByRole('heading', { name: 'Weekly behaviour' }).waitFor();
    await page.getByRole('img', { name: /Revenue and open pipeline per week/ }).waitFor();
    await page.getByText('Table', { exact: true }).click();
    const table = page.getByRole('table', { name: 'Weekly behaviour' });
    await table.getByRole('rowheader', { name: '2026-11-23' }).waitFor();
    await table.getByRole('cell', { name: '$1,500.00' }).first().waitFor();
    await expectAccessible(page, 'account behaviour');
    await atPhoneWidth('account behaviour (phone)');
  });
});
