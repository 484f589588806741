import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * "My day" and the calendar for a user in New York while the browser runs in UTC: every day
 * boundary and time on screen must be the user's zone's, not the browser's.
 */
const ZONE = 'America/New_York';

/** Today in the zone, and days around it, as plain dates. */
function todayIn(zone: string): string {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date())) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}`;
}
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The instant of a wall-clock time in the zone (hours on a plain date). */
function at(day: string, hour: number, minute = 0): string {
  const target = Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10), hour, minute);
  let t = target;
  for (let i = 0; i < 2; i++) {
    const p: Record<string, string> = {};
    for (const x of new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(t))) p[x.type] = x.value;
    t += target - Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour! % 24, +p.minute!);
  }
  return new Date(t).toISOString();
}

/** Runs a step at phone width and restores the desktop viewport even when it fails. */
async function atPhoneWidth(h: Harness, run: () => Promise<void>) {
  await h.page.setViewportSize({ width: 390, height: 844 });
  try {
    await run();
  } finally {
    await h.page.setViewportSize({ width: 1280, height: 860 });
  }
}

type Occ = { id: string; subject: string; status: string; localStart?: string; dueDate?: string };

describe('my day and the calendar', () => {
  let h: Harness;
  let today: string;
  let ada: string;
  let sync: { id: string };
  let todayTask: { id: string };
  let overdue: { id: string };
  let daily: { id: string };
  const agenda = async (from: string, to: string): Promise<Occ[]> => {
    // As Ada, through her browser session: the agenda is per user.
    return h.page.evaluate(async ([f, t]) => (await (await fetch(`/api/v1/me/agenda?from=${f}&to=${t}`)).json()).data, [from, to] as const);
  };

  beforeAll(async () => {
    h = await startHarness();
    today = todayIn(ZONE);
    const users = await h.api('POST', '/user/query', { filter: { field: 'email', op: 'eq', value: 'ada@example.com' } });
    ada = users.data[0].id;
    await h.api('PATCH', `/user/${ada}`, { time_zone: ZONE });
    const owner = ada;
    await h.api('POST', '/meeting', { subject: 'Client kickoff', start_at: at(today, 10), end_at: at(today, 11), time_zone: ZONE, location: 'Room 4', owner });
    sync = await h.api('POST', '/meeting', { subject: 'Weekly sync', start_at: at(today, 14), end_at: at(today, 14, 30), time_zone: ZONE, recurrence_rule: 'FREQ=WEEKLY;COUNT=8', owner });
    const deal = await h.api('POST', '/opportunity', { name: 'Harbor generators', amount: 9000, close_date: '2027-06-30', stage: 'proposal', probability: 50, owner });
    const client = await h.api('POST', '/account', { name: 'Renewal Client Ltd' });
    todayTask = await h.api('POST', '/task', { subject: 'Send proposal', due_date: today, owner, opportunity: deal.id });
    overdue = await h.api('POST', '/task', { subject: 'Renew contract', due_date: addDays(today, -3), owner, account: client.id });
    await h.api('POST', '/task', { subject: 'Prepare demo', due_date: addDays(today, 2), owner });
    daily = await h.api('POST', '/task', { subject: 'Daily check-in', due_date: today, recurrence_rule: 'FREQ=DAILY;COUNT=5', owner });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('the home page shows the day in the user’s zone, and completes a task with undo', async () => {
    const { page } = h;
    await page.getByRole('heading', { name: 'My day' }).waitFor();
    const schedule = page.getByRole('list', { name: "Today's meetings and calls" });
    await schedule.getByRole('link', { name: 'Client kickoff' }).waitFor();
    const kickoff = schedule.getByRole('listitem').filter({ hasText: 'Client kickoff' });
    expect(await kickoff.innerText()).toContain('10:00 AM');
    expect(await kickoff.innerText()).toContain('Room 4');
    const weekly = schedule.getByRole('listitem').filter({ hasText: 'Weekly sync' });
    expect(await weekly.innerText()).toContain('2:00 PM');
    expect(await weekly.getByText('(repeats)').count()).toBe(1);
    // In time order.
    expect((await schedule.getByRole('listitem').allInnerTexts()).map((t) => (t.includes('kickoff') ? 'k' : 'w'))).toEqual(['k', 'w']);

    const tasks = page.getByRole('region', { name: "Today's tasks" });
    await tasks.getByRole('link', { name: 'Send proposal' }).waitFor();
    const overdueBox = page.getByRole('region', { name: 'Overdue tasks' });
    await overdueBox.getByRole('link', { name: 'Renew contract' }).waitFor();
    // Each task row says what it is about, as a link.
    await tasks.getByRole('link', { name: 'Harbor generators' }).waitFor();
    await overdueBox.getByRole('link', { name: 'Renewal Client Ltd' }).waitFor();
    // My pipeline: the user's open deals per stage, with the open and weighted totals.
    const pipeline = page.getByRole('region', { name: 'My pipeline' });
    await pipeline.locator('[data-stage="proposal"]').getByText('$9,000.00').waitFor();
    expect(await pipeline.getByTestId('pipeline-total').innerText()).toContain('$9,000.00');
    await pipeline.getByText('$4,500.00').waitFor();
    expect(await overdueBox.getByText('3 days late').count()).toBe(1);
    expect(await overdueBox.getByTestId('overdue-count').innerText()).toBe('1');
    // Next week's Weekly sync; Prepare demo and four more daily check-ins.
    expect(await page.getByTestId('look-ahead').innerText()).toBe('1 meeting or call · 5 tasks');

    await expectAccessible(page, 'my day');
    await screenshot(page, 'my-day');

    // One click completes; Undo in the toast reopens.
    await tasks.getByRole('checkbox', { name: 'Complete “Send proposal”' }).click();
    await page.getByText('“Send proposal” completed').waitFor();
    await expect.poll(async () => (await h.api('GET', `/task/${todayTask.id}`)).status).toBe('completed');
    await tasks.getByRole('checkbox', { name: 'Reopen “Send proposal”' }).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await h.api('GET', `/task/${todayTask.id}`)).status).toBe('not_started');
    await tasks.getByRole('checkbox', { name: 'Complete “Send proposal”' }).waitFor();

    // A repeating task completes today's occurrence only.
    await tasks.getByRole('checkbox', { name: 'Complete “Daily check-in”' }).click();
    await page.getByText('“Daily check-in” completed').waitFor();
    await tasks.getByRole('checkbox', { name: 'Reopen “Daily check-in”' }).waitFor();
    const checkIns = (await agenda(today, addDays(today, 3))).filter((o) => o.subject === 'Daily check-in');
    expect(checkIns.map((o) => [o.dueDate, o.status, o.id === daily.id])).toEqual([
      [today, 'completed', false],
      [addDays(today, 1), 'not_started', true],
      [addDays(today, 2), 'not_started', true],
    ]);

    // "View all" opens the task list with the same filter.
    await overdueBox.getByRole('link', { name: 'View all' }).click();
    const list = page.getByRole('table', { name: 'Tasks list' });
    await list.getByRole('link', { name: 'Renew contract' }).waitFor();
    await expect.poll(() => list.locator('tbody tr').count()).toBe(1);
    await page.goBack();

    // An overdue task completed from home leaves the list.
    await overdueBox.getByRole('checkbox', { name: 'Complete “Renew contract”' }).click();
    await overdueBox.getByText('Nothing overdue. Well done.').waitFor();
    expect((await h.api('GET', `/task/${overdue.id}`)).status).toBe('completed');
  });

  test('a day with nothing in it invites planning', async () => {
    const newcomer = { email: 'newcomer@example.com', password: 'newcomer-password-1' };
    const { id } = await h.server.createUser({ ...newcomer, profile: 'standard', firstName: 'Nia', lastName: 'Newcomer' });
    await h.api('PATCH', `/user/${id}`, { locale: 'en-GB' });
    const context = await h.browser.newContext({ baseURL: h.server.url, viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'UTC' });
    try {
      const page = await context.newPage();
      await signIn(page, newcomer);
      const empty = page.getByRole('region', { name: 'Nothing scheduled today — plan your day' });
      await empty.getByRole('link', { name: 'New task' }).waitFor();
      await empty.getByRole('button', { name: 'New meeting' }).waitFor();
      await page.getByRole('region', { name: 'Overdue tasks' }).getByText('Nothing overdue. Well done.').waitFor();
      // Her locale is en-GB: weeks start on Monday (Ada's en-US ones on Sunday).
      await page.goto('/calendar?view=week&date=2026-03-11');
      await page.getByTestId('day-2026-03-09').waitFor();
      expect(await page.locator('[data-testid^="day-"]').first().getAttribute('data-testid')).toBe('day-2026-03-09');
      await page.getByText('Nothing scheduled in this week.', { exact: false }).waitFor();
    } finally {
      await context.close();
    }
  });

  test('the home page at phone width', async () => {
    const { page } = h;
    await atPhoneWidth(h, async () => {
      await page.reload();
      await page.getByRole('heading', { name: 'My day' }).waitFor();
      await page.getByRole('list', { name: "Today's meetings and calls" }).getByRole('link', { name: 'Client kickoff' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
      await expectAccessible(page, 'my day, phone');
      await screenshot(page, 'my-day-phone');
    });
  });

  test('the week shows the series on its day; keys move through weeks and views', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'My work' }).getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    const day = (d: string) => page.getByTestId(`day-${d}`);
    await day(today).getByRole('button', { name: /Weekly sync/ }).waitFor();
    await day(today).getByRole('button', { name: /Client kickoff/ }).waitFor();
    expect(await day(today).getByRole('button', { name: /Weekly sync/ }).innerText()).toContain('2:00 PM');
    await page.getByTestId(`allday-${today}`).getByRole('button', { name: /Send proposal/ }).waitFor();
    await expectAccessible(page, 'calendar week');
    await screenshot(page, 'calendar-week');

    await page.getByRole('heading', { name: 'Calendar', level: 1 }).click();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => new URL(page.url()).searchParams.get('date')).toBe(addDays(today, 7));
    await day(addDays(today, 7)).getByRole('button', { name: /Weekly sync/ }).waitFor();
    expect(await day(addDays(today, 7)).getByRole('button', { name: /Client kickoff/ }).count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await day(addDays(today, 14)).getByRole('button', { name: /Weekly sync/ }).waitFor();
    await page.keyboard.press('t');
    await expect.poll(() => new URL(page.url()).searchParams.get('date')).toBe(today);

    await page.keyboard.press('m');
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('month');
    // Today has four items: two show, the rest fold into "+2 more".
    await page.getByTestId(`month-${today}`).getByRole('button', { name: '+2 more' }).waitFor();
    for (let k = 1; k < 6; k++) {
      const cell = page.getByTestId(`month-${addDays(today, 7 * k)}`);
      // Polled: the month's own agenda request may still be loading while today's cell already
      // shows the week's items.
      if (await cell.count()) await expect.poll(() => cell.getByRole('button', { name: /Weekly sync/ }).count(), { message: `week ${k}` }).toBe(1);
    }
    await expectAccessible(page, 'calendar month');
    await screenshot(page, 'calendar-month');

    await page.getByTestId(`month-${today}`).getByRole('button', { name: '+2 more' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('day');
    await day(today).getByRole('button', { name: /Client kickoff/ }).waitFor();
    await page.getByTestId(`allday-${today}`).getByRole('button', { name: /Daily check-in/ }).waitFor();
    await page.keyboard.press('m');
    await page.getByTestId(`month-${today}`).waitFor();
    await page.keyboard.press('d');
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('day');
    expect(await page.locator('[data-testid^="day-"]').count()).toBe(1);
    await page.keyboard.press('w');
    await expect.poll(() => page.locator('[data-testid^="day-"]').count()).toBe(7);
  });

  test('clicking a free slot creates a meeting there', async () => {
    const { page } = h;
    await page.locator('.cal-timed').evaluate((el) => {
      el.scrollTop = 15 * 48;
    });
    // Mouse coordinates rather than click(): Playwright would scroll the tall column on its own.
    const box = (await page.getByTestId(`day-${today}`).boundingBox())!;
    await page.mouse.click(box.x + 10, box.y + 16 * 48 + 10);
    const dialog = page.getByRole('dialog', { name: 'New meeting' });
    await dialog.getByLabel(/^Subject/).fill('Pipeline review');
    // What the meeting is about is chosen right here.
    for (const about of ['Account', 'Contact', 'Opportunity']) await input(dialog, about).waitFor();
    // Esc in a picker closes only the picker; closing the dialog with typed input asks first.
    await dialog.getByLabel(/^Start/).click();
    const picker = page.getByRole('dialog').filter({ has: page.getByRole('button', { name: 'Previous month' }) });
    await picker.waitFor();
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    const ask = page.getByRole('dialog', { name: 'Discard your changes?' });
    await ask.getByRole('button', { name: 'Keep editing' }).click();
    await ask.waitFor({ state: 'detached' });
    await expect.poll(() => dialog.getByLabel(/^Subject/).inputValue()).toBe('Pipeline review');
    await dialog.getByRole('button', { name: 'Create meeting' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId(`day-${today}`).getByRole('button', { name: /Pipeline review/ }).waitFor();
    const created = (await agenda(today, addDays(today, 1))).find((o) => o.subject === 'Pipeline review');
    expect(created?.localStart).toContain(`${today}T16:00:00`);
  });

  test('cancelling one occurrence of a series cancels only that one', async () => {
    const { page } = h;
    const next = addDays(today, 7);
    await page.goto(`/calendar?view=week&date=${next}`);
    const chip = page.getByTestId(`day-${next}`).getByRole('button', { name: /Weekly sync/ });
    await chip.click();
    const popover = page.getByRole('dialog', { name: /Weekly sync/ });
    await popover.getByText('Part of a repeating series').waitFor();
    await expectAccessible(page, 'calendar event popover');
    await popover.getByRole('button', { name: 'Cancel this occurrence' }).click();
    await expect.poll(() => chip.getAttribute('data-status')).toBe('cancelled');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId(`day-${addDays(today, 14)}`).getByRole('button', { name: /Weekly sync/ }).getAttribute('data-status')).toBe('scheduled');
    const occ = (await agenda(today, addDays(today, 28))).filter((o) => o.subject === 'Weekly sync');
    expect(occ.map((o) => o.status)).toEqual(['scheduled', 'cancelled', 'scheduled', 'scheduled']);
    expect(occ.filter((o) => o.id === sync.id)).toHaveLength(3);

    // Tasks complete from their popover too.
    await page.goto(`/calendar?view=day&date=${today}`);
    const task = page.getByTestId(`allday-${today}`).getByRole('button', { name: /Send proposal/ });
    await task.click();
    await page.getByRole('dialog', { name: /Send proposal/ }).getByRole('button', { name: 'Mark complete' }).click();
    await expect.poll(() => task.getAttribute('data-status')).toBe('completed');
    expect((await h.api('GET', `/task/${todayTask.id}`)).status).toBe('completed');
  });

  test('phones open the day view; the week scrolls sideways inside the page', async () => {
    const { page } = h;
    await atPhoneWidth(h, async () => {
      await page.goto('/calendar');
      await page.getByTestId(`day-${today}`).getByRole('button', { name: /Client kickoff/ }).waitFor();
      expect(await page.locator('[data-testid^="day-"]').count()).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
      await expectAccessible(page, 'calendar phone');
      await screenshot(page, 'calendar-phone');
      await page.goto('/calendar?view=week');
      await page.getByTestId(`day-${today}`).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    });
  });
});
