import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * The sales screens: the account hierarchy with roll-ups and team, lead conversion, closing a
 * deal as lost, the duplicate warning with "save anyway", and merging duplicates.
 */
describe('sales', () => {
  let h: Harness;
  let parent: { id: string };
  beforeAll(async () => {
    h = await startHarness();
    parent = await h.api('POST', '/account', { name: 'Initech Holdings', industry: 'technology' });
    const child = await h.api('POST', '/account', { name: 'Initech Software', parent_account: parent.id });
    await h.api('POST', '/account', { name: 'Initech Payroll Services', parent_account: child.id });
    await h.api('POST', '/contact', { last_name: 'Lumbergh', first_name: 'Bill', account: child.id });
    await h.api('POST', '/opportunity', { name: 'Stapler rollout', account: child.id, amount: 12000, close_date: '2027-01-31', stage: 'prospecting' });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('the account page shows the hierarchy, roll-ups and team', async () => {
    const { page } = h;
    await page.goto(`/o/account/${parent.id}`);
    await page.getByRole('heading', { name: 'Initech Holdings', level: 1 }).waitFor();
    const tree = page.getByRole('list', { name: 'Account hierarchy' });
    // It opens with the direct children; a grandchild is one click away.
    await tree.getByRole('link', { name: 'Initech Software' }).waitFor();
    await page.locator('[data-stat="Accounts in subtree"]').getByText('3', { exact: true }).waitFor();
    await page.locator('[data-stat="Contacts"]').getByText('1', { exact: true }).waitFor();
    await page.locator('[data-stat="Open pipeline"]').getByText('$12,000.00').waitFor();
    expect(await tree.getByRole('link', { name: 'Initech Payroll Services' }).count()).toBe(0);
    // Expand and collapse a branch.
    const branch = page.getByRole('button', { name: 'Children of Initech Software' });
    expect(await branch.getAttribute('aria-expanded')).toBe('false');
    await branch.click();
    await tree.getByRole('link', { name: 'Initech Payroll Services' }).waitFor();
    await branch.click();
    await expect.poll(() => tree.getByRole('link', { name: 'Initech Payroll Services' }).count()).toBe(0);
    // Team: add the API robot as support.
    await input(page, 'Team member').click();
    await page.getByRole('option', { name: /Robot/ }).click();
    await input(page, 'Team role').click();
    await page.getByRole('option', { name: 'support' }).click();
    await page.getByRole('button', { name: 'Add to team' }).click();
    await page.getByRole('table', { name: 'Team members' }).getByText('support').waitFor();
    await expectAccessible(page, 'account tree');
    await screenshot(page, 'account-tree');
    const team = await h.api('GET', `/account/${parent.id}/team`);
    expect(team.data).toEqual([expect.objectContaining({ teamRole: 'support', access: 'edit' })]);
  });

  test('a lead is converted through the dialog into an account, contact and opportunity', async () => {
    const { page } = h;
    const lead = await h.api('POST', '/lead', { first_name: 'Peter', last_name: 'Gibbons', company: 'Initech Holdings', email: 'peter@initech.example' });
    await page.goto(`/o/lead/${lead.id}`);
    await page.getByRole('button', { name: 'Convert' }).click();
    const dialog = page.getByRole('dialog', { name: 'Convert Peter Gibbons' });
    // The existing account with the same name is suggested and chosen.
    await dialog.getByRole('radio', { name: 'Use Initech Holdings' }).waitFor();
    expect(await dialog.getByRole('radio', { name: 'Use Initech Holdings' }).isChecked()).toBe(true);
    await dialog.getByLabel('Opportunity name').fill('Initech TPS reports');
    await dialog.getByLabel('Amount').fill('30000');
    await expectAccessible(page, 'convert dialog');
    await screenshot(page, 'convert-dialog');
    await dialog.getByRole('button', { name: 'Convert' }).click();
    await page.getByRole('heading', { name: 'Initech TPS reports', level: 1 }).waitFor();
    const opp = (await h.api('POST', '/opportunity/query', { filter: { field: 'name', op: 'eq', value: 'Initech TPS reports' } })).data[0];
    expect(opp).toMatchObject({ account: parent.id, amount: 30000, lead: lead.id });
    // The converted lead is read-only, with links to what it became.
    await page.goto(`/o/lead/${lead.id}`);
    await page.getByText('Converted lead').waitFor();
    await page.getByRole('link', { name: /Account: Initech Holdings/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Convert' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);
    await expectAccessible(page, 'converted lead');
  });

  test('an opportunity is closed as lost with a reason', async () => {
    const { page } = h;
    const opp = await h.api('POST', '/opportunity', { name: 'Printer maintenance', account: parent.id, amount: 5000, close_date: '2027-02-28', stage: 'qualification' });
    await page.goto(`/o/opportunity/${opp.id}`);
    await page.getByRole('button', { name: 'Close deal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close Printer maintenance' });
    await dialog.getByText('Lost', { exact: true }).click();
    // Without a reason the stage rule refuses, and says why.
    await dialog.getByRole('button', { name: 'Close as lost' }).click();
    await dialog.getByRole('alert').waitFor();
    // …at the field it is about, which gets the focus.
    await expect.poll(() => input(dialog, 'Lost reason').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => input(dialog, 'Lost reason').evaluate((el) => el === document.activeElement)).toBe(true);
    await input(dialog, 'Lost reason').click();
    await page.getByRole('option', { name: 'Competitor' }).click();
    await dialog.getByLabel('Details').fill('Went with Globex');
    await expectAccessible(page, 'close dialog');
    await dialog.getByRole('button', { name: 'Close as lost' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await h.api('GET', `/opportunity/${opp.id}`)).stage).toBe('closed_lost');
    expect(await h.api('GET', `/opportunity/${opp.id}`)).toMatchObject({ lost_reason: 'competitor', lost_reason_detail: 'Went with Globex' });
    expect(await page.getByRole('button', { name: 'Close deal' }).count()).toBe(0);
  });

  test('the stage path shows where a deal is, moves it within the rules, and closes it', async () => {
    const { page } = h;
    const opp = await h.api('POST', '/opportunity', { name: 'Fleet batteries', account: parent.id, amount: 43500, close_date: '2027-03-31', stage: 'qualification' });
    await page.goto(`/o/opportunity/${opp.id}`);
    const path = page.getByRole('list', { name: 'Stage' });
    await path.getByRole('button', { name: 'Qualification' }).and(page.locator('[aria-current="step"]')).waitFor();
    await expectAccessible(page, 'stage path');
    await path.getByRole('button', { name: 'Needs analysis' }).click();
    await expect.poll(async () => (await h.api('GET', `/opportunity/${opp.id}`)).stage).toBe('needs_analysis');
    await path.getByRole('button', { name: 'Needs analysis' }).and(page.locator('[aria-current="step"]')).waitFor();
    // Back to prospecting is not allowed from here: the server says why and nothing moves.
    await path.getByRole('button', { name: 'Prospecting' }).click();
    await page.getByText('The stage was not changed').waitFor();
    expect((await h.api('GET', `/opportunity/${opp.id}`)).stage).toBe('needs_analysis');
    // Closing from the path asks for the outcome.
    await path.getByRole('button', { name: 'Close…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close Fleet batteries' });
    await dialog.getByRole('button', { name: 'Close as won' }).click();
    await dialog.waitFor({ state: 'detached' });
    await path.getByRole('button', { name: 'Closed won' }).waitFor();
    expect(await page.getByRole('button', { name: 'Close deal' }).count()).toBe(0);
  });

  test('a duplicate warning lists the candidates and "Save anyway" saves', async () => {
    const { page } = h;
    const existing = await h.api('POST', '/contact', { first_name: 'Milton', last_name: 'Waddams', email: 'milton@initech.example' });
    await page.goto('/o/contact/new');
    await page.getByLabel(/^Last name/).fill('Waddams');
    await page.getByLabel(/^First name/).fill('Milt');
    await page.getByLabel(/^E-mail/).fill('MILTON@initech.example');
    await page.getByRole('button', { name: 'Save' }).click();
    const warning = page.getByRole('alert').filter({ hasText: 'Possible duplicate' });
    await warning.getByRole('link', { name: 'Milton Waddams' }).waitFor();
    expect(await warning.getByRole('link', { name: 'Milton Waddams' }).getAttribute('href')).toBe(`/o/contact/${existing.id}`);
    await expectAccessible(page, 'duplicate warning');
    await warning.getByRole('button', { name: 'Save anyway' }).click();
    await page.getByRole('heading', { name: 'Milt Waddams', level: 1 }).waitFor();
  });

  test('two duplicate contacts are merged, choosing values field by field', async () => {
    const { page } = h;
    const rows = (await h.api('POST', '/contact/query', { filter: { field: 'last_name', op: 'eq', value: 'Waddams' } })).data as { id: string; first_name: string }[];
    const milton = rows.find((r) => r.first_name === 'Milton')!;
    const milt = rows.find((r) => r.first_name === 'Milt')!;
    await h.api('PATCH', `/contact/${milt.id}`, { title: 'Collator' });
    await page.goto(`/o/contact/${milton.id}`);
    await page.getByRole('link', { name: 'Merge', exact: true }).click();
    await page.getByRole('heading', { name: 'Merge contacts' }).waitFor();
    await page.getByRole('button', { name: /^Compare/ }).first().click();
    const table = page.getByRole('table', { name: 'Compare contacts' });
    await table.waitFor();
    await page.getByRole('radio', { name: 'Keep Milton Waddams as the master' }).check();
    await page.getByRole('radio', { name: 'E-mail from Milt Waddams' }).check();
    await expectAccessible(page, 'merge screen');
    await screenshot(page, 'merge');
    await page.getByRole('button', { name: 'Merge 2 contacts' }).click();
    await page.getByRole('heading', { name: 'Milton Waddams', level: 1 }).waitFor();
    const master = await h.api('GET', `/contact/${milton.id}`);
    expect(master).toMatchObject({ email: 'MILTON@initech.example', title: 'Collator' });
    const left = await h.api('POST', '/contact/query', { filter: { field: 'last_name', op: 'eq', value: 'Waddams' } });
    expect(left.data).toHaveLength(1);
  });
});
