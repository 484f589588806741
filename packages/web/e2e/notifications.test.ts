import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/** The reminders job, which packages/server/test/e2e-server.ts exposes for this test. */
interface WithReminders {
  sendDueReminders(): Promise<{ created: number }>;
}

/** The header bell (live by server-sent events), its popover, and the notification settings page. */
describe('notifications', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('a reminder that becomes due shows on the bell without a reload; clicking opens the record', async () => {
    const { page } = h;
    await signIn(page);
    await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    // The meeting belongs to the signed-in user: create it with their session.
    const meeting = await page.evaluate(async () => {
      const res = await fetch('/api/v1/meeting', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subject: 'Bell check-in', start_at: new Date(Date.now() + 10 * 60_000).toISOString(), reminder_minutes: 15 }),
      });
      return (await res.json()) as { id: string };
    });
    expect((await (h.server as unknown as WithReminders).sendDueReminders()).created).toBe(1);

    const bell = page.getByRole('button', { name: 'Notifications, 1 unread' });
    await bell.waitFor({ timeout: 20_000 });
    await bell.click();
    const popover = page.getByRole('dialog', { name: 'Notifications' });
    await popover.getByText('Reminder: Bell check-in').waitFor();
    await expectAccessible(page, 'notification popover');
    await screenshot(page, 'notifications-popover');

    // On a phone the popover stays on screen.
    await page.setViewportSize({ width: 390, height: 800 });
    await expect.poll(async () => {
      const box = await popover.boundingBox();
      return box ? box.x >= 0 && box.x + box.width <= 390 : false;
    }).toBe(true);
    await page.setViewportSize({ width: 1280, height: 860 });

    await popover.getByRole('button', { name: /Reminder: Bell check-in/ }).click();
    await page.waitForURL(new RegExp(`/o/meeting/${meeting.id}`));
    await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  });

  test('mark all as read empties the count', async () => {
    const { page } = h;
    await page.evaluate(async () => {
      // Due tomorrow (the user's zone is UTC), reminded from a minute or two ago.
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const lead = Math.ceil((Date.parse(`${tomorrow}T00:00:00Z`) - Date.now()) / 60_000) + 1;
      await fetch('/api/v1/task', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'Bell task', due_date: tomorrow, reminder_minutes: lead }) });
    });
    await (h.server as unknown as WithReminders).sendDueReminders();
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).click({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    await page.keyboard.press('Escape');
  });

  test('an open menu is accessible (no focusable presentational child in role=menu)', async () => {
    const { page } = h;
    await page.getByRole('button', { name: /User menu/ }).click();
    await page.getByRole('menu').waitFor();
    await expectAccessible(page, 'open user menu');
    // Keyboard: the arrow keys reach the items of the open menu.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  });

  test('the bell opens again after Escape closed it', async () => {
    const { page } = h;
    // The last test closed the popover with Escape: one click must open it again, every time.
    const popover = page.getByRole('dialog', { name: 'Notifications' });
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: /^Notifications/ }).click();
      await popover.waitFor();
      await page.keyboard.press('Escape');
      await popover.waitFor({ state: 'hidden' });
    }
  });

  test('settings save and survive a reload; the calendar link can be reset', async () => {
    const { page } = h;
    await page.getByRole('button', { name: /User menu/ }).click();
    await page.getByRole('menuitem', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await page.getByRole('switch', { name: 'Send by e-mail' }).uncheck({ force: true });
    await page.getByRole('switch', { name: 'E-mail me a daily digest' }).check({ force: true });
    await page.getByRole('combobox', { name: 'Digest time' }).selectOption({ label: '9:00 AM' });
    await expectAccessible(page, 'notification settings');
    await screenshot(page, 'notification-settings');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Notification settings saved').waitFor();

    await page.reload();
    await expect.poll(() => page.getByRole('switch', { name: 'Send by e-mail' }).isChecked()).toBe(false);
    expect(await page.getByRole('switch', { name: 'E-mail me a daily digest' }).isChecked()).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Digest time' }).inputValue()).toBe('9');

    const url = page.getByRole('textbox', { name: 'Calendar feed URL' });
    await expect.poll(() => url.inputValue()).toMatch(/\/ical\/.+\.ics$/);
    const before = await url.inputValue();
    await page.getByRole('button', { name: 'Reset link' }).click();
    const confirm = page.getByRole('dialog', { name: 'Reset the calendar link?' });
    await confirm.getByText('stops working at once').waitFor();
    await confirm.getByRole('button', { name: 'Reset link' }).click();
    await expect.poll(() => url.inputValue()).not.toBe(before);
  });
});
