import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Workflow rules in the web app (issue 14 items 7 and 11): a rule's page says what it does, dry-runs
 * it against existing records (nothing changes) and lists its runs with the drill-down; the run
 * log filters by status. Axe-clean, and nothing spills sideways at phone width.
 */
describe('automation', () => {
  let h: Harness;
  let rule: { id: string };
  let account: { id: string };

  beforeAll(async () => {
    h = await startHarness();
    account = await h.api('POST', '/account', { name: 'Harbor Cafe', industry: 'retail' });
    await h.api('POST', '/account', { name: 'Quay Tools', industry: 'manufacturing' });
    rule = await h.api('POST', '/automation_rule', {
      name: 'Visit retail accounts', target_object: 'account', trigger: 'updated', phase: 'after_save',
      condition: JSON.stringify({ field: 'industry', op: 'eq', value: 'retail' }),
      actions: JSON.stringify([{ type: 'create_record', object: 'task', values: { subject: 'Visit {{ record.name }}' } }]),
    });
    await h.api('PATCH', `/account/${account.id}`, { phone: '+1 555 0142' });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test("a rule's page: what it does, the dry run, its runs with details; the run log", async () => {
    const { page } = h;
    await expect.poll(async () => (await h.api('GET', `/automation/runs?record=${account.id}`)).data[0]?.status, { timeout: 15_000 }).toBe('succeeded');
    await page.goto(`/o/automation_rule/${rule.id}`);
    await page.getByRole('heading', { level: 1, name: 'Visit retail accounts' }).waitFor();
    const what = page.getByRole('region', { name: 'What the rule does' });
    await what.getByText(/create record — object: task/).waitFor();

    const dry = page.getByRole('region', { name: 'Dry run' });
    await dry.getByRole('button', { name: 'Dry run on existing records' }).click();
    const table = dry.getByRole('table', { name: 'Dry run' });
    const harbor = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'Harbor Cafe' }) });
    await harbor.getByText('met', { exact: true }).waitFor();
    await harbor.getByText(/Create a task with .*Visit Harbor Cafe/).waitFor();
    await table.getByRole('row').filter({ has: page.getByRole('link', { name: 'Quay Tools' }) }).getByText('not met').waitFor();
    // Nothing was done: still one task from the real run.
    const tasks = await h.api('GET', `/task?filter=${encodeURIComponent(JSON.stringify({ field: 'subject', op: 'eq', value: 'Visit Harbor Cafe' }))}`);
    expect(tasks.data).toHaveLength(1);

    const runs = page.getByRole('table', { name: 'Runs of this rule' });
    const details = runs.getByRole('button', { name: 'Details of the run of Visit retail accounts' });
    await details.click();
    expect(await details.getAttribute('aria-expanded')).toBe('true');
    await runs.getByTestId('run-details').getByText(/create record/).waitFor();
    await expectAccessible(page, 'workflow rule page');
    await screenshot(page, 'automation-rule');

    await page.getByRole('link', { name: 'All runs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Workflow rule runs' }).waitFor();
    await page.getByRole('table', { name: 'Workflow rule runs' }).getByRole('link', { name: 'Visit retail accounts' }).first().waitFor();
    await expectAccessible(page, 'run log');
    await input(page, 'Status').click();
    await page.getByRole('option', { name: 'Failed' }).click();
    await page.getByText('No runs match.', { exact: false }).waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/o/automation_rule/${rule.id}`);
    await page.getByRole('heading', { level: 1, name: 'Visit retail accounts' }).waitFor();
    await page.getByRole('table', { name: 'Runs of this rule' }).waitFor();
    const wide = () => page.evaluate(() => [document.documentElement, ...Array.from(document.querySelectorAll('main, main > *, main section'))].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map((el) => `${el.tagName}.${el.className}`));
    await expect.poll(wide).toEqual([]);
    await expectAccessible(page, 'workflow rule page at phone width');
  });

  test('the guided builder: object, trigger, condition, an action with a template previewed on a real record, errors at the action, saved', async () => {
    const { page } = h;
    await page.goto('/o/automation_rule');
    await page.getByRole('button', { name: 'Build a rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New workflow rule' });
    await dialogOpened(dialog);
    await input(dialog, 'Name').fill('Call new retail accounts');
    await input(dialog, 'Object').click();
    await page.getByRole('option', { name: 'Account', exact: true }).click();
    await dialog.getByRole('button', { name: 'Add action' }).click();
    await page.getByRole('menuitem', { name: 'Create a record' }).click();
    const action = dialog.getByRole('group', { name: 'Action 1: Create a record' });
    await input(action, 'Object to create').click();
    await page.getByRole('option', { name: 'Task', exact: true }).click();
    await input(action, 'Add a field of Task').click();
    await page.getByRole('option', { name: 'Subject', exact: true }).click();
    // A misspelt variable: the server refuses the rule and the builder says so at the action.
    await input(action, 'Subject').fill('Call {{ record.nmae }}');
    await dialog.getByRole('button', { name: 'Save rule' }).click();
    await action.getByRole('alert').getByText(/values\.subject: .*no field 'nmae'/).waitFor();
    await expectAccessible(page, 'rule builder with an error');
    await input(action, 'Subject').fill('Call {{ record.name }} ({{ record.industry }})');
    await expect.poll(() => action.getByRole('alert').count()).toBe(0);
    // The preview renders the template with a real record's values; nothing is saved.
    const preview = dialog.getByRole('region', { name: 'Preview' });
    await input(preview, 'Preview on a record (Account)').fill('Harbor');
    await page.getByRole('option', { name: 'Harbor Cafe' }).click();
    await preview.getByRole('button', { name: 'Preview' }).click();
    await preview.getByText('values.subject: Call Harbor Cafe (retail)').waitFor();
    await preview.getByText('condition met').waitFor();
    expect((await h.api('GET', `/automation_rule?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'Call new retail accounts' }))}`)).data).toHaveLength(0);
    await screenshot(page, 'automation-rule-builder');
    await dialog.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('heading', { level: 1, name: 'Call new retail accounts' }).waitFor();
    const saved = (await h.api('GET', `/automation_rule?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'Call new retail accounts' }))}`)).data[0];
    expect(saved.trigger).toBe('created');
    expect(JSON.parse(saved.actions)).toEqual([{ type: 'create_record', object: 'task', values: { subject: 'Call {{ record.name }} ({{ record.industry }})' } }]);
    // The rule works: a new account gets its task.
    const acme = await h.api('POST', '/account', { name: 'Acme Deli', industry: 'retail' });
    await expect.poll(async () => (await h.api('GET', `/task?filter=${encodeURIComponent(JSON.stringify({ field: 'subject', op: 'eq', value: 'Call Acme Deli (retail)' }))}`)).data.length, { timeout: 15_000 }).toBe(1);
    expect(acme.id).toBeTruthy();
    // Edited again in the builder from the rule's page.
    await page.getByRole('button', { name: 'Edit in builder' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit rule: Call new retail accounts' });
    await dialogOpened(edit);
    expect(await input(edit.getByRole('group', { name: 'Action 1: Create a record' }), 'Subject').inputValue()).toBe('Call {{ record.name }} ({{ record.industry }})');
    await expectAccessible(page, 'rule builder editing');
    await edit.getByRole('button', { name: 'Cancel' }).click();
  });
});
