import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Dashboards in the browser (issue 16 items 4 and 9): a grid of a chart, a KPI and a table run
 * as the viewer; the chart's table view; a bar and the KPI open the records behind them; the
 * date-range filter narrows the widgets; edit mode moves and resizes by keyboard (announced) and
 * by pointer drag, adds a widget and saves; the home page shows the profile's home dashboard;
 * axe-clean, and at 390 px the widgets stack in one column without sideways scrolling.
 */
describe('dashboards', () => {
  let h: Harness;
  let dashboardId: string;

  beforeAll(async () => {
    h = await startHarness();
    const account = await h.api('POST', '/account?allowDuplicate=true', { name: 'Initech Energy', industry: 'energy' });
    await h.api('POST', '/opportunity', { name: 'Initech turbines', account: account.id, stage: 'prospecting', amount: '1200', close_date: '2027-02-10' });
    await h.api('POST', '/opportunity', { name: 'Initech panels', account: account.id, stage: 'qualification', amount: '800', close_date: '2027-03-01' });
    const mine = { field: 'name', op: 'startsWith', value: 'Initech' };
    const byStage = await h.api('POST', '/reports', { name: 'Pipeline by stage', object: 'opportunity', definition: { filter: mine, groupings: { rows: ['stage'] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }], chart: { type: 'bar', measure: 'sum:amount' } } });
    const deals = await h.api('POST', '/reports', { name: 'Open deals', object: 'opportunity', definition: { filter: mine, columns: ['name', 'amount', 'close_date'], sort: '-amount' } });
    const dashboard = await h.api('POST', '/dashboards', {
      name: 'Sales overview', filters: { offered: ['dateRange', 'owner', 'team', 'pipeline'] },
      widgets: [
        { id: 'chart', reportId: byStage.id, kind: 'chart', title: 'Pipeline chart', x: 0, y: 0, w: 6, h: 4 },
        { id: 'kpi', reportId: byStage.id, kind: 'kpi', title: 'Pipeline total', x: 6, y: 0, w: 3, h: 2, kpi: { measure: 'sum:amount', compare: 'previous_period' } },
        { id: 'table', reportId: deals.id, kind: 'table', title: 'Deals table', x: 6, y: 2, w: 6, h: 3 },
      ],
    });
    dashboardId = dashboard.id;
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const noSidewaysScroll = (h: Harness) => h.page.evaluate(() => [document.documentElement, ...Array.from(document.querySelectorAll('main, main > *'))]
    .filter((el) => el.scrollWidth > window.innerWidth + 1).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}`));
  const kpiButton = (h: Harness) => h.page.getByRole('button', { name: /^Pipeline total: / });

  test('view a dashboard: chart with a table view, drill from a bar and from the KPI, filter by date range', async () => {
    const { page } = h;
    await page.goto('/dashboards');
    await page.getByRole('link', { name: 'Sales overview' }).click();
    await page.getByRole('heading', { name: 'Sales overview', level: 1 }).waitFor();
    await page.getByRole('img', { name: /Pipeline chart: bar chart/ }).waitFor();
    await expect.poll(() => kpiButton(h).getAttribute('aria-label')).toContain('2000.00');
    await page.getByRole('table', { name: 'Deals table (table view)' }).getByRole('link', { name: 'Initech turbines' }).waitFor();
    await expectAccessible(page, 'dashboard');

    await kpiButton(h).click();
    let dialog = page.getByRole('dialog');
    await dialogOpened(dialog);
    await dialog.getByRole('link', { name: 'Initech panels' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // A click on a bar opens the records of its stage.
    await page.locator('[data-testid="widget-chart"] .recharts-bar-rectangle').first().click();
    dialog = page.getByRole('dialog');
    await dialogOpened(dialog);
    await dialog.getByRole('link', { name: /Initech/ }).first().waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.getByTestId('widget-chart').getByRole('button', { name: 'Table view' }).click();
    const table = page.getByRole('table', { name: 'Pipeline chart (table view)' });
    await table.getByRole('cell', { name: 'prospecting', exact: true }).waitFor();
    await expectAccessible(page, 'dashboard (chart as table)');

    await page.getByRole('combobox', { name: 'Date range' }).selectOption('custom');
    // The end first, so the range is never backwards in between (date inputs have no textbox role).
    await page.getByLabel('To', { exact: true }).fill('2027-02-28');
    await page.getByLabel('From', { exact: true }).fill('2027-02-01');
    await expect.poll(() => kpiButton(h).getAttribute('aria-label')).toContain('1200.00');
    await expect.poll(() => page.getByTestId('kpi-comparison').textContent()).toContain('2027-01-04 – 2027-01-31');
    expect(await page.getByRole('table', { name: 'Deals table (table view)' }).getByRole('link', { name: 'Initech panels' }).count()).toBe(0);
  });

  test('edit: move and resize by keyboard and by drag, add a widget, save', async () => {
    const { page } = h;
    await page.goto(`/dashboards/${dashboardId}`);
    await page.getByRole('button', { name: 'Edit dashboard' }).click();
    const kpiCard = page.getByTestId('widget-kpi');
    await kpiCard.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('dash-announcer').textContent()).toContain('Pipeline total: column 8, row 1');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => page.getByTestId('dash-announcer').textContent()).toContain('3 columns wide, 3 rows high');

    // Drag the chart's move handle two columns to the right.
    const handle = page.getByRole('button', { name: 'Move Pipeline chart', exact: true });
    const box = (await handle.boundingBox())!;
    const grid = (await page.locator('.dash-grid').boundingBox())!;
    const cell = grid.width / 12;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + cell, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2 + cell * 2, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('dash-announcer').textContent()).toContain('Pipeline chart: column 3, row 1');

    await page.getByRole('combobox', { name: 'Report' }).selectOption({ label: 'Open deals' });
    await page.getByRole('combobox', { name: 'Show as' }).selectOption('list');
    await page.getByRole('button', { name: 'Add widget' }).click();
    await expectAccessible(page, 'dashboard editor');
    await page.getByRole('button', { name: 'Save dashboard' }).click();
    await page.getByRole('button', { name: 'Edit dashboard' }).waitFor();
    await page.getByRole('list', { name: 'Open deals: records' }).getByRole('link', { name: 'Initech turbines' }).waitFor();
    const saved = await h.api('GET', `/dashboards/${dashboardId}`);
    expect(saved.widgets.find((w: { id: string }) => w.id === 'kpi')).toMatchObject({ x: 7, w: 3, h: 3 });
    expect(saved.widgets.find((w: { id: string }) => w.id === 'chart')).toMatchObject({ x: 2 });
    expect(saved.widgets).toHaveLength(4);
  });

  test('phone: widgets stack in one column; the home page shows the profile’s home dashboard', async () => {
    const { page } = h;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/dashboards/${dashboardId}`);
    await kpiButton(h).waitFor();
    const lefts = await page.locator('.dash-card').evaluateAll((cards) => cards.map((c) => Math.round(c.getBoundingClientRect().left)));
    expect(new Set(lefts).size).toBe(1);
    await expect.poll(() => noSidewaysScroll(h)).toEqual([]);
    await expectAccessible(page, 'dashboard (phone)');
    await page.setViewportSize({ width: 1280, height: 860 });

    await h.api('PUT', '/dashboards/home', { profile: 'admin', dashboardId });
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sales overview' }).waitFor();
    await expect.poll(() => kpiButton(h).getAttribute('aria-label')).toContain('2000.00');
    await expectAccessible(page, 'home with dashboard');
  });

  test('a dashboard is scheduled for e-mail from its page', async () => {
    const { page } = h;
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`/dashboards/${dashboardId}`);
    await page.getByRole('button', { name: 'Schedule e-mail…' }).click();
    const dialog = page.getByRole('dialog', { name: /E-mail “Sales overview” on a schedule/ });
    await dialogOpened(dialog);
    await dialog.getByText('Not scheduled yet.').waitFor();
    await dialog.getByRole('combobox', { name: 'Frequency' }).selectOption('daily');
    await dialog.getByRole('button', { name: 'Add schedule' }).click();
    await dialog.getByText(/Every day at 08:00/).waitFor();
    await expectAccessible(page, 'dashboard schedule dialog');
    const schedules = await h.api('GET', `/dashboards/${dashboardId}/schedules`);
    expect(schedules.data).toHaveLength(1);
    expect(schedules.data[0]).toMatchObject({ frequency: 'daily', at: '08:00', dashboardId });
  });
});
