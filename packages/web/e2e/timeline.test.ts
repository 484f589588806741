import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * The activity timeline on a record page (ACT-1, seed 003/004): the quick actions (call, task,
 * follow-up, rich-text note, file), completing a task with undo, the two sections, paging with
 * "Load more", an accessibility check and the phone layout.
 */
describe('activity timeline', () => {
  let h: Harness;
  let account: { id: string };
  let grace: { id: string };
  let carlos: { id: string };
  beforeAll(async () => {
    h = await startHarness();
    account = await h.api('POST', '/account', { name: 'Umbrella Logistics', industry: 'transportation' });
    carlos = await h.api('POST', '/contact', { first_name: 'Carlos', last_name: 'Rivera', account: account.id });
    grace = await h.server.createUser({ email: 'grace@example.com', password: 'grace-password-123', profile: 'standard', firstName: 'Grace', lastName: 'Hopper' });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  const panel = (page: Page) => page.getByRole('region', { name: 'Activity' });
  const upcoming = (page: Page) => page.getByRole('list', { name: 'Upcoming and overdue' });
  const history = (page: Page) => page.getByRole('list', { name: 'History' });
  const action = async (page: Page, name: string) => {
    await panel(page).getByRole('group', { name: 'Quick actions' }).getByRole('button', { name, exact: true }).click();
  };

  test('starts empty and logs a call', async () => {
    const { page } = h;
    await page.goto(`/o/account/${account.id}`);
    await page.getByRole('heading', { name: 'Umbrella Logistics', level: 1 }).waitFor();
    // The account's creation is the first history entry.
    await history(page).getByText('Account created').waitFor();
    await expectAccessible(page, 'timeline');

    await action(page, 'Log a call');
    const dialog = page.getByRole('dialog', { name: 'Log a call' });
    await dialog.getByLabel(/^Subject/).fill('Discovery call with Carlos');
    await input(dialog, 'Outcome').click();
    await page.getByRole('option', { name: 'Voicemail' }).click();
    await dialog.getByLabel(/^Notes/).fill('Left a message about the Q3 rollout');
    // Who it was with (the account's contacts), and a follow-up in the same step.
    await input(dialog, 'Who did you speak to?').click();
    await page.getByRole('option', { name: 'Carlos Rivera' }).click();
    await dialog.getByRole('checkbox', { name: 'Add a follow-up task' }).check();
    await dialog.getByLabel(/^What to follow up on/).fill('Call Carlos back about the rollout');
    await expectAccessible(page, 'log a call');
    await dialog.getByRole('button', { name: 'Log call' }).click();
    await page.getByText('Call logged, follow-up added').waitFor();
    const followUp = upcoming(page).locator('li', { hasText: 'Call Carlos back about the rollout' });
    await followUp.waitFor();
    // Out of the way of the next tests, which start with nothing upcoming.
    await h.api('PATCH', `/task/${await followUp.getAttribute('data-id')}`, { status: 'completed' });
    const item = history(page).locator('li', { hasText: 'Discovery call with Carlos' });
    await item.getByText('Held').waitFor();
    await item.getByText('Ada Admin').waitFor();
    const timeline = await h.api('GET', `/account/${account.id}/timeline`);
    const call = timeline.data.find((i: { kind: string }) => i.kind === 'call');
    expect(await h.api('GET', `/call/${call.id}`)).toMatchObject({ outcome: 'voicemail', status: 'held', account: account.id, contact: carlos.id, description: 'Left a message about the Q3 rollout' });
  });

  test('adds a task (field errors at the field), completes it with one click and undoes it', async () => {
    const { page } = h;
    await action(page, 'New task');
    const dialog = page.getByRole('dialog', { name: 'New task' });
    await dialog.getByRole('button', { name: 'Add task' }).click();
    await dialog.getByText('Subject is required').waitFor();
    await dialog.getByLabel(/^Subject/).fill('Send the revised proposal');
    await dialog.getByLabel(/^Due date/).fill('2031-01-15');
    await dialog.getByLabel(/^Due date/).press('Tab');
    await input(dialog, 'Priority').click();
    await page.getByRole('option', { name: 'High' }).click();
    await input(dialog, 'Reminder').click();
    await page.getByRole('option', { name: '1 day before' }).click();
    await dialog.getByRole('button', { name: 'Add task' }).click();
    await page.getByText('Task added').waitFor();
    const task = upcoming(page).locator('li', { hasText: 'Send the revised proposal' });
    await task.getByText('Not started').waitFor();

    await task.getByRole('checkbox', { name: 'Complete task Send the revised proposal' }).click();
    const done = history(page).locator('li', { hasText: 'Send the revised proposal' });
    await done.getByText('Completed', { exact: true }).waitFor();
    expect(await upcoming(page).count()).toBe(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await upcoming(page).locator('li', { hasText: 'Send the revised proposal' }).getByText('Not started').waitFor();
    await upcoming(page).getByRole('checkbox', { name: 'Complete task Send the revised proposal' }).click();
    await done.getByText('Completed', { exact: true }).waitFor();
    const id = await done.getAttribute('data-id');
    expect(await h.api('GET', `/task/${id}`)).toMatchObject({ status: 'completed', priority: 'high', due_date: '2031-01-15', reminder_minutes: 1440 });
  });

  test('adds a follow-up for another user', async () => {
    const { page } = h;
    await action(page, 'Follow-up');
    const dialog = page.getByRole('dialog', { name: 'Follow-up' });
    await dialog.getByLabel(/^What to follow up on/).fill('Check the signed contract');
    await dialog.getByLabel(/^Date/).fill('2031-02-01');
    await dialog.getByLabel(/^Date/).press('Tab');
    await input(dialog, 'Assignee').fill('Hopper');
    await page.getByRole('option', { name: 'Grace Hopper' }).click();
    await dialog.getByRole('button', { name: 'Add follow-up' }).click();
    await page.getByText('Follow-up added', { exact: true }).waitFor();
    const item = upcoming(page).locator('li', { hasText: 'Follow up: Check the signed contract' });
    await item.getByText('Grace Hopper').waitFor();
    const id = await item.getAttribute('data-id');
    expect(await h.api('GET', `/task/${id}`)).toMatchObject({ owner: grace.id, due_date: '2031-02-01' });
  });

  test('writes a rich-text note; pasted scripts do not survive', async () => {
    const { page } = h;
    await action(page, 'Note');
    const dialog = page.getByRole('dialog', { name: 'Note' });
    await dialog.getByLabel(/^Title/).fill('Meeting notes');
    const editor = dialog.getByRole('textbox', { name: 'Body' });
    await editor.click();
    await dialog.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('Decision made');
    await dialog.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Bulleted list' }).click();
    await page.keyboard.type('Ship in March');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Budget approved');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    // A paste carrying a script and an event handler.
    await editor.evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/html', '<p>Pasted <b>text</b></p><script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">');
      data.setData('text/plain', 'Pasted text');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await editor.getByText('Pasted').waitFor();
    await expectAccessible(page, 'note editor');
    await dialog.getByRole('button', { name: 'Save note' }).click();
    await page.getByText('Note added').waitFor();
    const item = history(page).locator('li', { hasText: 'Meeting notes' });
    await item.waitFor();
    const note = await h.api('GET', `/note/${await item.getAttribute('data-id')}`);
    expect(note.body).toContain('<strong>Decision made</strong>');
    expect(note.body).toMatch(/<ul><li><p>Ship in March<\/p><\/li><li><p>Budget approved<\/p><\/li><\/ul>/);
    expect(note.body).toContain('Pasted');
    expect(note.body).not.toMatch(/<script|onerror|__pwned|<img/i);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The timeline shows what the note says, not only its title: three lines, then "Show more".
    await expect.poll(() => item.locator('.timeline-text').innerText()).toContain('Decision made');
    const more = item.getByRole('button', { name: 'Show more' });
    await more.click();
    await item.getByRole('button', { name: 'Show less' }).waitFor();
    expect(await item.locator('.timeline-text').innerText()).toContain('Pasted text');
  });

  test('attaches a text file and downloads it from the timeline', async () => {
    const { page } = h;
    await action(page, 'Attach file');
    const dialog = page.getByRole('dialog', { name: 'Attach file' });
    // A refused file: the server's reason is shown in the dialog, which stays open.
    await dialog.getByLabel('File to attach').setInputFiles({ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<html><script>alert(1)</script></html>') });
    await dialog.getByRole('alert').filter({ hasText: 'The file was not attached' }).waitFor();
    await expectAccessible(page, 'attach file error');
    await dialog.getByLabel('File to attach').setInputFiles({ name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from('Minutes of the kick-off\n') });
    await page.getByText('minutes.txt attached').waitFor();
    const link = history(page).getByRole('link', { name: 'minutes.txt' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(await fs.promises.readFile((await download.path())!, 'utf8')).toBe('Minutes of the kick-off\n');
  });

  test('everything sits in the right section; phone layout', async () => {
    const { page } = h;
    // A change of note reads as a sentence, with names rather than IDs.
    await h.api('PATCH', `/account/${account.id}`, { owner: grace.id });
    await page.reload();
    await history(page).getByText('Owner changed from Robot to Grace Hopper').waitFor();
    await upcoming(page).getByText('Follow up: Check the signed contract').waitFor();
    for (const title of ['Discovery call with Carlos', 'Send the revised proposal', 'Meeting notes', 'Account created']) {
      await history(page).getByText(title).first().waitFor();
    }
    expect(await upcoming(page).getByText('Send the revised proposal').count()).toBe(0);
    await expectAccessible(page, 'timeline with items');
    await screenshot(page, 'timeline');
    await page.setViewportSize({ width: 390, height: 844 });
    // On a phone the quick actions start the page, on the first screen, not under the tabs.
    await page.evaluate(() => window.scrollTo(0, 0));
    const actions = page.getByRole('group', { name: 'Quick actions' });
    await expect.poll(async () => (await actions.boundingBox())?.y ?? 9999).toBeLessThan(844);
    expect(await panel(page).getByRole('group', { name: 'Quick actions' }).count()).toBe(0);
    await panel(page).scrollIntoViewIfNeeded();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await expectAccessible(page, 'timeline on a phone');
    await screenshot(page, 'timeline-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('loads more pages of a long timeline', async () => {
    const { page } = h;
    const busy = await h.api('POST', '/account', { name: 'Busy Corp' });
    for (let i = 1; i <= 60; i++) {
      await h.api('POST', `/account/${busy.id}/activities`, { type: 'note', values: { title: `Seeded note ${String(i).padStart(2, '0')}` } });
    }
    await page.goto(`/o/account/${busy.id}`);
    const items = panel(page).locator('li.timeline-item');
    await expect.poll(() => items.count()).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => items.count()).toBe(61);
    await history(page).getByText('Account created').waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  });
});
