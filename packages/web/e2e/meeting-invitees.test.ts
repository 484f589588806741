import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, input, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * A meeting from a record's quick actions (issue 17 item 6): the start is the next full hour in
 * the user's zone (Kolkata, +05:30, while the browser runs in UTC), the record's contacts are
 * offered first as invitees, a colleague is found by typing, and the meeting's page lists them.
 */
const ZONE = 'Asia/Kolkata';

describe('meeting invitees', () => {
  let h: Harness;
  let account: { id: string };
  let peter: { id: string };
  let grace: { id: string };
  beforeAll(async () => {
    h = await startHarness();
    const users = await h.api('POST', '/user/query', { filter: { field: 'email', op: 'eq', value: 'ada@example.com' } });
    await h.api('PATCH', `/user/${users.data[0].id}`, { time_zone: ZONE });
    account = await h.api('POST', '/account', { name: 'Initech' });
    peter = await h.api('POST', '/contact', { first_name: 'Peter', last_name: 'Gibbons', account: account.id });
    await h.api('POST', '/contact', { first_name: 'Milton', last_name: 'Waddams' });
    grace = await h.server.createUser({ email: 'grace@example.com', password: 'grace-password-123', profile: 'standard', firstName: 'Grace', lastName: 'Hopper' });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('invites a contact of the record and a colleague; the meeting page shows them', async () => {
    const { page } = h;
    await page.goto(`/o/account/${account.id}`);
    await page.getByRole('heading', { name: 'Initech', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Activity' }).getByRole('group', { name: 'Quick actions' }).getByRole('button', { name: 'New meeting', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New meeting' });
    await dialogOpened(dialog);
    // The next full hour on the user's clock: in UTC it would be hh:30.
    await expect.poll(() => dialog.getByLabel(/^Start/).textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:00$/);
    await dialog.getByLabel(/^Subject/).fill('Rollout planning');

    await input(dialog, 'Invitees').click();
    // The account's own contacts come first, under their heading; others are found by typing.
    const listbox = page.getByRole('listbox');
    await listbox.getByText('Contacts of Initech').waitFor();
    await listbox.getByRole('option', { name: 'Peter Gibbons' }).click();
    await input(dialog, 'Invitees').fill('Hopper');
    await page.getByRole('option', { name: 'Grace Hopper' }).click();
    await input(dialog, 'Invitees').fill('');
    await page.keyboard.press('Escape');
    await listbox.waitFor({ state: 'detached' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expectAccessible(page, 'new meeting with invitees');
    await dialog.getByRole('button', { name: 'Create meeting' }).click();
    await page.getByText('Meeting “Rollout planning” created').waitFor();
    await dialog.waitFor({ state: 'detached' });

    const found = await h.api('POST', '/meeting/query', { filter: { field: 'subject', op: 'eq', value: 'Rollout planning' } });
    expect(found.data).toHaveLength(1);
    const meeting = found.data[0];
    expect(meeting).toMatchObject({ account: account.id, time_zone: ZONE });
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(new Date(meeting.start_at))).toMatch(/^\d{2}:00$/);
    // On the account's timeline, as something upcoming.
    await page.getByRole('list', { name: 'Upcoming and overdue' }).getByText('Rollout planning').waitFor();

    await page.goto(`/o/meeting/${meeting.id}`);
    const invitees = page.getByRole('list', { name: 'Invitees' });
    await invitees.getByRole('link', { name: 'Peter Gibbons' }).waitFor();
    await invitees.getByText('Grace Hopper').waitFor();
    expect(await invitees.getByText('No answer yet').count()).toBe(2);
    await expectAccessible(page, 'meeting page with invitees');
    const rows = await h.api('POST', '/meeting_invitee/query', { filter: { field: 'meeting', op: 'eq', value: meeting.id }, fields: ['user', 'contact'] });
    expect(rows.data.map((r: { user: string | null; contact: string | null }) => r.user ?? r.contact).sort()).toEqual([grace.id, peter.id].sort());
  });
});
