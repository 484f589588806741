import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN, expectAccessible, input, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/** Administration: the role hierarchy, users, and the recycle bin (with the undo toast). */
describe('administration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('an administrator creates a role below another one', async () => {
    const { page } = h;
    await h.api('POST', '/roles', { name: 'vp_sales', label: 'VP Sales', parent: null });
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New role' }).click();
    const dialog = page.getByRole('dialog', { name: 'New role' });
    await dialog.getByLabel(/^Label/).fill('Sales Rep West');
    expect(await dialog.getByLabel(/^API name/).inputValue()).toBe('sales_rep_west');
    await input(dialog, 'Reports to').click();
    await page.getByRole('option', { name: 'VP Sales' }).click();
    await expectAccessible(page, 'new role dialog');
    await dialog.getByRole('button', { name: 'Create role' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('tr[data-role="sales_rep_west"]').getByText('VP Sales').waitFor();
    await expectAccessible(page, 'roles');
    const roles = await h.api('GET', '/roles');
    expect(roles.data).toEqual(expect.arrayContaining([{ name: 'sales_rep_west', label: 'Sales Rep West', parent: 'vp_sales' }]));
  });

  test('an administrator creates a user with a profile and role, then deactivates them', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel(/^First name/).fill('Samir');
    await dialog.getByLabel(/^Last name/).fill('Nagheenanajar');
    await dialog.getByLabel(/^E-mail/).fill('samir@example.com');
    await dialog.getByLabel(/^Initial password/).fill('a-long-enough-password');
    await input(dialog, 'Role').click();
    await page.getByRole('option', { name: 'Sales Rep West' }).click();
    await expectAccessible(page, 'new user dialog');
    // A refused save says so where the user looks: the field is marked and focused, a summary on top.
    const email = dialog.getByLabel(/^E-mail/);
    await email.fill(ADMIN.email);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => email.evaluate((el) => el === document.activeElement && el.getAttribute('aria-invalid'))).toBe('true');
    await dialog.getByRole('alert').filter({ hasText: 'Fix the marked field' }).waitFor();
    await email.fill('samir@example.com');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'samir@example.com' });
    await row.getByText('Sales Rep West').waitFor();
    // The toast fading in is waited out by expectAccessible (it scans once animations settle).
    await page.getByText('User samir@example.com created').waitFor();
    await expectAccessible(page, 'users');
    const users = await h.api('GET', '/users');
    const samir = users.data.find((u: { email: string }) => u.email === 'samir@example.com');
    expect(samir).toMatchObject({ first_name: 'Samir', last_name: 'Nagheenanajar', profile: 'standard', role: 'sales_rep_west' });
    await row.getByRole('button', { name: 'Deactivate Samir Nagheenanajar' }).click();
    await row.getByText('Inactive').waitFor();
    expect((await h.api('GET', `/user/${samir.id}`)).active).toBe(false);
  });

  test('a profile loses a permission, and accounts become private with a sharing rule', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Profiles' }).click();
    await page.getByRole('heading', { name: 'Profiles', level: 1 }).waitFor();
    await page.getByRole('checkbox', { name: 'Delete Accounts' }).uncheck();
    await input(page, 'Object').click();
    await page.getByRole('option', { name: 'Account', exact: true }).click();
    await input(page, 'Access to Annual revenue').click();
    await page.getByRole('option', { name: 'Hidden' }).click();
    await expectAccessible(page, 'profiles');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(async () => (await h.api('GET', '/profiles')).data.find((p: { name: string }) => p.name === 'standard').permissions.objects?.account?.delete).toBe(false);
    const standard = (await h.api('GET', '/profiles')).data.find((p: { name: string }) => p.name === 'standard');
    expect(standard.permissions.fields.account.annual_revenue).toBe('hidden');

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Sharing' }).click();
    await page.getByRole('heading', { name: 'Sharing', level: 1 }).waitFor();
    await input(page, 'Default access to Account').click();
    await page.getByRole('option', { name: 'Private' }).click();
    await expect.poll(async () => (await h.api('GET', '/sharing-settings')).data.find((s: { object: string }) => s.object === 'account').sharing).toBe('private');
    await page.getByRole('button', { name: 'New sharing rule' }).click();
    const d = page.getByRole('dialog', { name: 'New sharing rule' });
    await d.getByLabel(/^Rule name/).fill('Energy accounts to VP Sales');
    await input(d, 'Object').click();
    await page.getByRole('option', { name: 'Account', exact: true }).click();
    await d.getByRole('button', { name: 'Add condition' }).click();
    await input(d, 'Field of condition 1').click();
    await page.getByRole('option', { name: 'Industry', exact: true }).click();
    await input(d, 'Value of condition 1').click();
    await page.getByRole('option', { name: 'Energy' }).click();
    await input(d, 'Role').click();
    await page.getByRole('option', { name: 'VP Sales' }).click();
    await expectAccessible(page, 'new sharing rule');
    await d.getByRole('button', { name: 'Create rule' }).click();
    await d.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Sharing rules' }).getByText('energy_accounts_to_vp_sales').waitFor();
    await expectAccessible(page, 'sharing');
    const rules = (await h.api('GET', '/sharing-rules')).data;
    expect(rules).toEqual([expect.objectContaining({ object: 'account', shareWithType: 'role_and_subordinates', shareWith: 'vp_sales', access: 'read' })]);
  });

  test('a deleted record is undone from the toast, and restored from the recycle bin', async () => {
    const { page } = h;
    const acct = await h.api('POST', '/account', { name: 'Chotchkies Restaurant' });
    // Undo right after deleting.
    await page.goto(`/o/account/${acct.id}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete Chotchkies Restaurant?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('heading', { name: 'Chotchkies Restaurant', level: 1 }).waitFor();
    expect((await h.api('GET', `/account/${acct.id}`)).name).toBe('Chotchkies Restaurant');
    // Deleted again, then restored from the recycle bin (reached from the user menu).
    await h.api('DELETE', `/account/${acct.id}`);
    await page.getByRole('button', { name: /^User menu/ }).click();
    await page.getByRole('menuitem', { name: 'Recycle bin' }).click();
    await page.getByRole('heading', { name: 'Recycle bin', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Chotchkies Restaurant' });
    await row.waitFor();
    await expectAccessible(page, 'recycle bin');
    await row.getByRole('button', { name: 'Restore Chotchkies Restaurant' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await h.api('GET', `/account/${acct.id}`)).name).toBe('Chotchkies Restaurant');
    // Deleting for good asks first.
    const gone = await h.api('POST', '/account', { name: 'Flingers' });
    await h.api('DELETE', `/account/${gone.id}`);
    await page.reload();
    await page.getByRole('button', { name: 'Delete for good: Flingers' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Flingers for good?' });
    await expectAccessible(page, 'purge confirmation');
    await confirm.getByRole('button', { name: 'Delete for good' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Flingers' }).count()).toBe(0);
  });

  test('an undone import is one recycle-bin row, restored as a whole after a confirmation', async () => {
    const { page } = h;
    // Arranged through the API: an import of two accounts, then its undo.
    const robot = await h.server.createUser({ email: 'bin-importer@example.com', password: 'importer-password-123', profile: 'admin', lastName: 'Importer' });
    const call = async (method: string, url: string, body?: BodyInit, json = true) => {
      const res = await fetch(`${h.server.url}/api/v1${url}`, { method, body, headers: { authorization: `Bearer ${robot.token}`, ...(json && body ? { 'content-type': 'application/json' } : {}) } });
      expect(res.status).toBeLessThan(300);
      return res.json();
    };
    const form = new FormData();
    form.append('object', 'account');
    form.append('file', new Blob(['Name\nInitech\nPenetrode\n']), 'accounts-bin.csv');
    const imp = await call('POST', '/imports', form, false);
    await call('PATCH', `/imports/${imp.id}`, JSON.stringify({ columns: [{ field: 'name' }] }));
    const until = async (status: string) => expect.poll(async () => (await call('GET', `/imports/${imp.id}`)).status, { timeout: 30_000, interval: 200 }).toBe(status);
    await call('POST', `/imports/${imp.id}/start`);
    await until('completed');
    await call('POST', `/imports/${imp.id}/undo`);
    await until('undone');

    await page.goto('/recycle-bin');
    const row = page.getByRole('row').filter({ hasText: 'Import accounts-bin.csv — 2 records' });
    await row.waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Initech' }).count()).toBe(0);
    await row.getByRole('button', { name: 'Restore Import accounts-bin.csv — 2 records' }).click();
    const confirm = page.getByRole('dialog', { name: 'Restore 2 records?' });
    await confirm.waitFor();
    await expectAccessible(page, 'group restore confirmation');
    await confirm.getByRole('button', { name: 'Restore 2 records' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => row.count()).toBe(0);
    const found = await h.api('POST', '/account/count', { filter: { field: 'name', op: 'in', value: ['Initech', 'Penetrode'] } });
    expect(found.count).toBe(2);
  });
});
