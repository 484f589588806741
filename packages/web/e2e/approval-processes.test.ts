import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Locator } from 'playwright-core';
import { dialogOpened, expectAccessible, input, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Settings → Approval processes (issue 14 item 11, AUT-3): the empty state, the builder — a
 * two-step process with a user, a role, step criteria from the filter builder and a field update,
 * steps moved with the keyboard, the server's error shown at the input its path names — then a
 * record submitted goes to step 1's user and, once approved, to the role of step 2; the list
 * switches a process off and on, opens it again in the builder and deletes it after asking.
 */
describe('approval processes', () => {
  let h: Harness;
  let grace: { id: string; token: string };
  let linus: { id: string; token: string };
  let account: { id: string };

  /** Calls the API as one of the test's users. */
  const as = async (user: { token: string }, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${h.server.url}/api/v1${url}`, {
      method, headers: { authorization: `Bearer ${user.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
    return res.json();
  };
  const choose = async (field: Locator, option: string) => {
    await field.click();
    await h.page.getByRole('option', { name: option, exact: true }).click();
  };

  beforeAll(async () => {
    h = await startHarness();
    grace = await h.server.createUser({ email: 'grace@example.com', password: 'grace-password-123', profile: 'standard', firstName: 'Grace', lastName: 'Hopper' });
    linus = await h.server.createUser({ email: 'linus@example.com', password: 'linus-password-123', profile: 'standard', firstName: 'Linus', lastName: 'Pauling' });
    await h.api('POST', '/roles', { name: 'finance', label: 'Finance' });
    await h.api('PATCH', `/user/${linus.id}`, { role: 'finance' });
    account = await h.api('POST', '/account', { name: 'Northwind Traders', employees: 5000 });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test("builds a two-step process, shows the server's error at its input, saves; a submitted record goes to each step's approver", async () => {
    const { page } = h;
    // A new installation has the processes billing and credit ship (quote discount, credit hold);
    // with those deleted the page explains what a process is.
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Approval processes' }).click();
    await page.getByRole('cell', { name: /Quote discount/ }).first().waitFor();
    await expectAccessible(page, 'approval processes, shipped ones');
    for (const p of (await h.api<{ data: Array<{ id: string }> }>('GET', '/approval-processes')).data) await h.api('DELETE', `/approval-processes/${p.id}`);
    await page.reload();
    const empty = page.getByRole('region', { name: 'No approval processes yet' });
    await empty.getByText(/waits? for approval before they count/).waitFor();
    await expectAccessible(page, 'approval processes, empty');
    await empty.getByRole('link', { name: 'New process' }).click();
    await page.getByRole('heading', { level: 1, name: 'New approval process' }).waitFor();

    await input(page, 'Label').fill('Large account review');
    expect(await input(page, 'API name').inputValue()).toBe('large_account_review');
    await choose(input(page, 'Object'), 'Account');

    const step1 = page.getByRole('group', { name: 'Step 1' });
    await input(step1, 'Step name').fill('Account manager');
    await choose(input(step1, 'Approver 1'), 'A user');
    await input(step1, 'User (approver 1)').fill('Grace');
    await page.getByRole('option', { name: 'Grace Hopper' }).click();

    await page.getByRole('button', { name: 'Add step' }).click();
    const step2 = page.getByRole('group', { name: 'Step 2' });
    await input(step2, 'Step name').fill('Finance');
    await choose(input(step2, 'Decided by'), 'Every approver must approve');
    // The role is left out: the server names the input (steps[1].approvers[0].value).
    await choose(input(step2, 'Approver 1'), 'Every user in a role');
    const criteria = step2.getByRole('group', { name: 'Criteria of step 2' });
    await criteria.getByRole('button', { name: 'Add condition' }).click();
    await choose(input(criteria, 'Field of condition 1'), 'Employees');
    await choose(input(criteria, 'Operator of condition 1'), 'at least');
    await criteria.getByRole('textbox', { name: 'Value of condition 1' }).fill('1000');

    const approved = page.getByRole('group', { name: 'When approved (after the last step)' });
    await choose(input(approved, 'Add a field to set when approved (after the last step)'), 'Type');
    await choose(input(approved, 'Type'), 'Customer');

    await page.getByRole('button', { name: 'Save process' }).click();
    const role = input(step2, 'Role (approver 1)');
    await step2.getByText('Name the role').waitFor();
    await expect.poll(() => role.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'process builder with an error');
    await choose(role, 'Finance');
    await expect.poll(() => step2.getByText('Name the role').count()).toBe(0);

    // Steps move with the keyboard; focus stays on the moved step's buttons.
    await step2.getByRole('button', { name: 'Move step 2 up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => input(page.getByRole('group', { name: 'Step 1' }), 'Step name').inputValue()).toBe('Finance');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move step 1 down');
    await page.keyboard.press('Enter');
    await expect.poll(() => input(page.getByRole('group', { name: 'Step 1' }), 'Step name').inputValue()).toBe('Account manager');

    await page.getByRole('button', { name: 'Save process' }).click();
    const table = page.getByRole('table', { name: 'Approval processes' });
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'Large account review' }) });
    await row.getByRole('cell', { name: 'Account', exact: true }).waitFor();
    expect(await row.getByRole('cell').nth(4).textContent()).toBe('2');
    const [saved] = (await h.api('GET', '/approval-processes')).data;
    expect(saved).toMatchObject({
      name: 'large_account_review', object: 'account', active: true, entryCriteria: null, submitters: [{ kind: 'owner' }],
      steps: [
        { name: 'Account manager', mode: 'first', criteria: null, approvers: [{ kind: 'user', value: grace.id }] },
        { name: 'Finance', mode: 'unanimous', criteria: { field: 'employees', op: 'gte', value: 1000 }, approvers: [{ kind: 'role', value: 'finance' }] },
      ],
      fieldUpdates: { approve: { type: 'customer' } },
    });

    // A record submitted from its page waits for Grace, then for the finance role.
    await page.goto(`/o/account/${account.id}`);
    const panel = page.getByRole('region', { name: 'Approvals' });
    await panel.getByRole('button', { name: 'Submit for approval' }).click();
    const dialog = page.getByRole('dialog', { name: 'Submit for approval' });
    await dialogOpened(dialog);
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await panel.getByText(/Waiting for approval at step “Account manager”/).waitFor();
    await panel.getByText(/Account manager: Grace Hopper —/).waitFor();
    const [waiting] = (await as(grace, 'GET', '/approvals/inbox')).data;
    expect(waiting).toMatchObject({ step: 'Account manager', recordId: account.id });
    expect((await as(linus, 'GET', '/approvals/inbox')).data).toEqual([]);
    await as(grace, 'POST', `/approvals/${waiting.request}/approve`, {});
    expect((await as(linus, 'GET', '/approvals/inbox')).data).toMatchObject([{ step: 'Finance', recordId: account.id }]);
  });

  test('the list switches a process off and on, opens it in the builder, and deletes it after asking', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Approval processes' }).click();
    const active = page.getByRole('switch', { name: 'Active: Large account review' });
    expect(await active.isChecked()).toBe(true);
    await active.click();
    await expect.poll(async () => (await h.api('GET', '/approval-processes')).data[0].active).toBe(false);
    await expect.poll(() => active.isChecked()).toBe(false);
    await expectAccessible(page, 'approval processes');
    await active.click();
    await expect.poll(async () => (await h.api('GET', '/approval-processes')).data[0].active).toBe(true);

    await page.getByRole('link', { name: 'Edit Large account review' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit approval process: Large account review' }).waitFor();
    const step1 = page.getByRole('group', { name: 'Step 1' });
    await expect.poll(() => input(step1, 'User (approver 1)').inputValue()).toBe('Grace Hopper');
    expect(await input(page.getByRole('group', { name: 'Step 2' }), 'Role (approver 1)').inputValue()).toBe('Finance');
    await expectAccessible(page, 'process builder, editing');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible(page, 'process builder at 390 px');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Delete Large account review' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Large account review?' });
    await dialogOpened(confirm);
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('region', { name: 'No approval processes yet' }).waitFor();
    expect((await h.api('GET', '/approval-processes')).data).toEqual([]);
  });
});
