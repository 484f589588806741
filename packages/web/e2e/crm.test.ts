import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * The vertical slice, in the order a new administrator would go: build a custom object, enter
 * records, find them again with a filter and a saved view, edit in place, move deals on the
 * board, search, and manage API tokens — with an accessibility check on every page.
 */
describe('the metadata-driven CRM', () => {
  let h: Harness;
  let acme: { id: string };
  beforeAll(async () => {
    h = await startHarness();
    acme = await h.api('POST', '/account', { name: 'Acme Corporation', industry: 'manufacturing', phone: '+1 555 0199' });
    await h.api('POST', '/account', { name: 'Globex Industries', industry: 'energy' });
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('an administrator creates a custom object with fields of several types', async () => {
    const { page } = h;
    await page.getByRole('link', { name: 'Objects & fields' }).click();
    await page.getByRole('heading', { name: 'Objects & fields' }).waitFor();
    await expectAccessible(page, 'settings: objects');
    await page.getByRole('button', { name: 'New object' }).click();
    const dialog = page.getByRole('dialog', { name: 'New custom object' });
    await dialog.getByLabel(/^Label/).fill('Expedition');
    expect(await dialog.getByLabel(/^API name/).inputValue()).toBe('expedition');
    await dialog.getByRole('button', { name: 'Create object' }).click();
    await page.getByRole('heading', { name: 'Expedition', exact: true }).waitFor();

    const addField = async (label: string, type: string, extra?: () => Promise<void>) => {
      await page.getByRole('button', { name: 'New field' }).click();
      const d = page.getByRole('dialog', { name: 'New field on Expedition' });
      await d.getByLabel(/^Label/).fill(label);
      await input(d, 'Type').click();
      await page.getByRole('option', { name: type, exact: true }).click();
      if (extra) await extra();
      await d.getByRole('button', { name: 'Create field' }).click();
      await d.waitFor({ state: 'detached' });
      await page.locator(`tr[data-field]`, { hasText: label }).first().waitFor();
    };
    await addField('Budget', 'Currency');
    await addField('Status', 'Picklist', async () => {
      const d = page.getByRole('dialog', { name: 'New field on Expedition' });
      for (const [i, v] of ['Planned', 'Active', 'Done'].entries()) {
        await d.getByRole('button', { name: 'Add value' }).click();
        await d.getByLabel(`Label of value ${i + 1}`).fill(v);
      }
      await d.getByRole('checkbox', { name: 'Required' }).check();
      await input(d, 'Default value').click();
      await page.getByRole('option', { name: 'Planned' }).click();
    });
    await addField('Start date', 'Date');
    await addField('Client', 'Lookup', async () => {
      const d = page.getByRole('dialog', { name: 'New field on Expedition' });
      await input(d, 'Points to').click();
      await page.getByRole('option', { name: 'Account', exact: true }).click();
    });
    await expectAccessible(page, 'settings: object');
    await screenshot(page, 'settings');
    const meta = await h.api('GET', '/metadata/objects/expedition');
    expect(meta.fields.map((f: { apiName: string; type: string }) => `${f.apiName}:${f.type}`)).toEqual(expect.arrayContaining(['budget:currency', 'status:picklist', 'start_date:date', 'client:lookup']));
    // The new object is in the navigation.
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Expeditions' }).waitFor();
  });

  test('a record is created through the metadata form, lookup search included', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Expeditions' }).click();
    await page.getByRole('link', { name: 'New expedition', exact: true }).click();
    await page.getByRole('heading', { name: 'New expedition' }).waitFor();
    // Required fields are reported by the server at the field.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Expedition name is required').waitFor();
    // …and the form says so where the user looks: a summary on top, focus on the field.
    await page.getByRole('alert').filter({ hasText: 'Fix the marked field: Expedition name' }).waitFor();
    await expect.poll(() => page.getByLabel(/^Expedition name/).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByLabel(/^Expedition name/).fill('Warehouse retrofit');
    await page.getByLabel(/^Budget/).fill('125000');
    await page.getByLabel(/^Start date/).fill('2026-03-01');
    await page.getByLabel(/^Start date/).press('Tab');
    await input(page, 'Client').fill('Acme');
    await page.getByRole('option', { name: 'Acme Corporation' }).click();
    // Typing into a chosen value replaces it, and the picker forgives typos like the global search.
    const client = input(page, 'Client');
    await client.click();
    await client.pressSequentially('Acme Corporaton');
    await page.getByRole('option', { name: 'Acme Corporation' }).click();
    await expect.poll(() => client.inputValue()).toBe('Acme Corporation');
    await expectAccessible(page, 'new record form');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Warehouse retrofit' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Acme Corporation' }).count()).toBeGreaterThan(0);
    expect(await page.getByText('$125,000.00').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'record page');
    await screenshot(page, 'record');
    const rows = await h.api('POST', '/expedition/query', { filter: { field: 'name', op: 'eq', value: 'Warehouse retrofit' } });
    expect(rows.data[0]).toMatchObject({ budget: 125000, status: 'planned', start_date: '2026-03-01', client: acme.id });
  });

  test('the record page edits a field in place and shows history and related lists', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Edit Status' }).click();
    await input(page, 'Status').click();
    await page.getByRole('option', { name: 'Active' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('[data-field="status"]').getByText('Active').waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('table', { name: 'Field history' }).getByRole('row').filter({ hasText: 'Planned' }).filter({ hasText: 'Active' }).first().waitFor();
    await expectAccessible(page, 'record history');
    // History names the records lookups point to; it never shows an id.
    const historyTable = page.getByRole('table', { name: 'Field history' });
    await expect.poll(() => historyTable.innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    // The account shows the expedition in its related lists; the tab counts records, and the
    // empty lists fold into one line from which one opens to add its first record.
    await page.goto(`/o/account/${acme.id}?tab=related`);
    await page.getByRole('region', { name: 'Expeditions' }).getByRole('link', { name: 'Warehouse retrofit' }).waitFor();
    const related = await h.api('GET', `/account/${acme.id}/related-counts`);
    const total = related.data.reduce((s: number, c: { count: number }) => s + c.count, 0);
    await page.getByRole('tab', { name: `Related (${total})` }).waitFor();
    const folded = page.getByRole('region', { name: 'Empty related lists' });
    await folded.getByRole('button', { name: 'Show Contacts' }).click();
    await page.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: 'New' }).waitFor();
    await expectAccessible(page, 'related lists');
  });

  test('a list is filtered, saved as a view, and edited inline', async () => {
    const { page } = h;
    await h.api('POST', '/expedition/bulk', {
      operation: 'create',
      records: [
        { name: 'Solar canopy', status: 'active', budget: 48000 },
        { name: 'Fleet telematics', status: 'done', budget: 9000 },
        { name: 'Cold room upgrade', status: 'planned', budget: 21000 },
      ],
    });
    await page.goto('/o/expedition');
    await page.getByRole('table', { name: 'Expeditions list' }).getByRole('link', { name: 'Fleet telematics' }).waitFor();
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: 'Add condition' }).click();
    await input(page, 'Field of condition 1').click();
    await page.getByRole('option', { name: 'Status', exact: true }).click();
    await input(page, 'Value of condition 1').click();
    await page.getByRole('option', { name: 'Active' }).click();
    const table = page.getByRole('table', { name: 'Expeditions list' });
    await expect.poll(() => table.getByRole('link', { name: 'Fleet telematics' }).count()).toBe(0);
    await table.getByRole('link', { name: 'Solar canopy' }).waitFor();
    await table.getByRole('link', { name: 'Warehouse retrofit' }).waitFor();
    // One level of lookup paths is offered too.
    await input(page, 'Field of condition 1').click();
    expect(await page.getByRole('option', { name: 'Client › Industry' }).count()).toBe(1);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Save view…' }).click();
    await page.getByRole('menuitem', { name: 'Save as new view' }).click();
    await page.getByLabel(/^View name/).fill('Active expeditions');
    await page.getByRole('dialog', { name: 'Save view' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Active expeditions' }).waitFor();
    // The view survives a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'Active expeditions' }).waitFor();
    await table.getByRole('link', { name: 'Solar canopy' }).waitFor();
    expect(await table.getByRole('link', { name: 'Fleet telematics' }).count()).toBe(0);
    await expectAccessible(page, 'list');
    await screenshot(page, 'list');

    // Inline edit: the budget cell of "Solar canopy".
    const row = table.locator('tr', { has: page.getByRole('link', { name: 'Solar canopy' }) });
    await row.getByRole('button', { name: /^Budget of Solar canopy/ }).click();
    const budget = input(row, 'Budget');
    await budget.fill('52500');
    await budget.press('Enter');
    await row.getByRole('button', { name: /^Budget of Solar canopy: \$52,500\.00/ }).waitFor();
    const saved = await h.api('POST', '/expedition/query', { filter: { field: 'name', op: 'eq', value: 'Solar canopy' } });
    expect(saved.data[0]).toMatchObject({ budget: 52500, version: 2 });
  });

  test('bulk edit sets a field on the selected records', async () => {
    const { page } = h;
    await page.goto('/o/expedition');
    const table = page.getByRole('table', { name: 'Expeditions list' });
    await table.getByRole('checkbox', { name: 'Select Fleet telematics' }).check();
    await table.getByRole('checkbox', { name: 'Select Cold room upgrade' }).check();
    await page.getByRole('button', { name: 'Edit selected' }).click();
    const d = page.getByRole('dialog', { name: /Edit 2 expeditions/ });
    await input(d, 'Field').click();
    await page.getByRole('option', { name: 'Status', exact: true }).click();
    await input(d, 'Status').click();
    await page.getByRole('option', { name: 'Active' }).click();
    await d.getByRole('button', { name: 'Apply' }).click();
    await d.waitFor({ state: 'detached' });
    await expect.poll(async () => (await h.api('POST', '/expedition/query', { filter: { field: 'status', op: 'eq', value: 'active' } })).data.length).toBe(4);
  });

  test('a card moves on the kanban board; a refused move snaps back with the reason', async () => {
    const { page } = h;
    const opp = await h.api('POST', '/opportunity', { name: 'Generator service contract', account: acme.id, amount: 18000, close_date: '2026-06-30', stage: 'prospecting' });
    await h.api('POST', '/opportunity', { name: 'Roof inspection', amount: 4200, close_date: '2026-05-15', stage: 'proposal' });
    await h.api('POST', '/metadata/objects/opportunity/validation-rules', { name: 'no_lost_here', condition: { field: 'stage', op: 'ne', value: 'closed_lost' }, message: 'Deals are closed as lost from the record page, with a reason' });
    await page.goto('/o/opportunity/board');
    const card = page.locator('.kanban-card', { hasText: 'Generator service contract' });
    await card.waitFor();
    await card.dragTo(page.locator('[data-column="qualification"]'));
    await page.locator('[data-column="qualification"]').getByText('Generator service contract').waitFor();
    await expect.poll(async () => (await h.api('GET', `/opportunity/${opp.id}`)).stage).toBe('qualification');
    await expectAccessible(page, 'kanban');
    await screenshot(page, 'kanban');
    // Refused by the validation rule: back to its column, reason shown. (Wide enough to see every column.)
    await page.setViewportSize({ width: 2400, height: 900 });
    await page.locator('.kanban-card', { hasText: 'Generator service contract' }).dragTo(page.locator('[data-column="closed_lost"]'));
    // A closed column opens the close dialog instead of a plain move; the refusal is shown in it.
    const closeDialog = page.getByRole('dialog', { name: 'Close Generator service contract' });
    await closeDialog.waitFor();
    await input(closeDialog, 'Lost reason').click();
    await page.getByRole('option').first().click();
    await closeDialog.getByRole('button', { name: 'Close as lost' }).click();
    await closeDialog.getByRole('alert').getByText('Deals are closed as lost from the record page, with a reason').waitFor();
    await closeDialog.getByRole('button', { name: 'Cancel' }).click();
    await closeDialog.waitFor({ state: 'detached' });
    await page.locator('[data-column="qualification"]').getByText('Generator service contract').waitFor();
    expect(await page.locator('[data-column="closed_lost"]').getByText('Generator service contract').count()).toBe(0);
    // Keyboard alternative: the card's Move menu.
    await page.getByRole('button', { name: 'Move Roof inspection' }).click();
    await page.getByRole('menuitem', { name: 'Negotiation' }).click();
    await page.locator('[data-column="negotiation"]').getByText('Roof inspection').waitFor();
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('global search: "/" focuses, arrows and Enter open a result', async () => {
    const { page } = h;
    await page.goto('/');
    await page.getByRole('heading', { name: 'My day', level: 1 }).waitFor();
    await page.keyboard.press('/');
    const box = page.getByRole('combobox', { name: 'Search records' });
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('Globex');
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('group', { name: 'Accounts' }).getByRole('option', { name: 'Globex Industries' }).waitFor();
    await expectAccessible(page, 'search results');
    // The dropdown is drawn above the layout: the point just inside the first result's left edge
    // belongs to the dropdown, not to the sidebar that used to cover it.
    const first = results.getByRole('option').first();
    const box0 = await first.boundingBox();
    expect(box0).not.toBeNull();
    const hit = await page.evaluate(({ x, y }) => !!document.elementFromPoint(x, y)?.closest('[role="listbox"]'), { x: box0!.x + 2, y: box0!.y + box0!.height / 2 });
    expect(hit).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Globex Industries' }).waitFor();
    // Recent items remember it.
    await page.getByRole('navigation', { name: 'Recent items' }).getByRole('link', { name: /Globex Industries/ }).waitFor();
  });

  test('a stale edit opens the version-conflict dialog', async () => {
    const { page } = h;
    await page.goto(`/o/account/${acme.id}`);
    await page.getByRole('heading', { name: 'Acme Corporation' }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel(/^Website/).fill('acme.example');
    await h.api('PATCH', `/account/${acme.id}`, { phone: '+1 555 0000' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const d = page.getByRole('dialog', { name: 'This record was changed by someone else' });
    await d.waitFor();
    await expectAccessible(page, 'conflict dialog');
    await d.getByRole('button', { name: 'Overwrite' }).click();
    await page.getByRole('link', { name: /acme\.example/ }).first().waitFor();
    const after = await h.api('GET', `/account/${acme.id}`);
    // Mine (website) overwrote; theirs (phone) was not in my change and stays.
    expect(after.website).toMatch(/acme\.example$/);
    expect(after.phone).toBe('+1 555 0000');
  });

  test('API tokens: created, shown once, revoked', async () => {
    const { page } = h;
    await page.goto('/settings/tokens');
    await page.getByLabel(/^Token name/).fill('Accounting sync');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByTestId('new-token').innerText();
    expect(token.length).toBeGreaterThan(20);
    const me = await fetch(`${h.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    await expectAccessible(page, 'tokens');
    await page.getByRole('button', { name: 'Revoke token Accounting sync' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(async () => (await fetch(`${h.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  test('sorting by a header, infinite scroll over keyset pages, CSV export of every page', async () => {
    const { page } = h;
    const records = Array.from({ length: 210 }, (_, i) => ({ name: `Batch ${String(i + 1).padStart(3, '0')}`, status: 'planned', budget: 1000 + i }));
    const r = await h.api('POST', '/expedition/bulk', { operation: 'create', records });
    expect(r.succeeded).toBe(210);
    await page.goto('/o/expedition');
    const table = page.getByRole('table', { name: 'Expeditions list' });
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    // Scrolling to the end loads the next keyset page.
    await page.getByRole('button', { name: 'Load more' }).scrollIntoViewIfNeeded();
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    // Sorting by budget, ascending then descending.
    await table.getByRole('columnheader', { name: /Budget/ }).getByRole('button').click();
    await expect.poll(() => table.getByRole('columnheader', { name: /Budget/ }).getAttribute('aria-sort')).toBe('ascending');
    await expect.poll(() => rows.first().getByRole('link').first().innerText()).toBe('Batch 001');
    await table.getByRole('columnheader', { name: /Budget/ }).getByRole('button').click();
    await expect.poll(() => rows.first().getByRole('link').first().innerText()).toBe('Warehouse retrofit');
    // Export walks every page (200 per request) of the current view.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = await fs.promises.readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toContain('Expedition name');
    expect(lines.length).toBe(1 + 214);
    expect(lines[1]).toContain('Warehouse retrofit');
  });

  test('bulk delete sends the selected records to the recycle bin', async () => {
    const { page } = h;
    await page.goto('/o/expedition');
    const table = page.getByRole('table', { name: 'Expeditions list' });
    await table.getByRole('checkbox', { name: 'Select Batch 001' }).check();
    await table.getByRole('checkbox', { name: 'Select Batch 002' }).check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page.getByRole('dialog', { name: /Delete 2 expeditions/ }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('2 deleted').waitFor();
    const left = await h.api('POST', '/expedition/query', { filter: { field: 'name', op: 'in', value: ['Batch 001', 'Batch 002'] } });
    expect(left.data).toHaveLength(0);
  });

  test('a validation rule built with the condition builder; its error shows at the top; leaving asks first', async () => {
    const { page } = h;
    await page.goto('/settings/objects/expedition');
    await page.getByRole('button', { name: 'New rule' }).click();
    const d = page.getByRole('dialog', { name: 'New validation rule' });
    await dialogOpened(d);
    await d.getByLabel(/^Rule name/).fill('budget_positive');
    await d.getByRole('button', { name: 'Add condition' }).click();
    await d.getByTestId('filter-rule').waitFor();
    await input(d, 'Field of condition 1').click();
    await page.getByRole('option', { name: 'Budget', exact: true }).click();
    await input(d, 'Operator of condition 1').click();
    await page.getByRole('option', { name: 'greater than', exact: true }).click();
    await input(d, 'Value of condition 1').fill('0');
    await d.getByLabel(/^Error message/).fill('An expedition needs a positive budget');
    await expectAccessible(page, 'validation rule dialog');
    await d.getByRole('button', { name: 'Save rule' }).click();
    await d.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Validation rules' }).getByText('budget_positive').waitFor();

    await page.goto('/o/expedition/new');
    await page.getByLabel(/^Expedition name/).fill('Zero budget trip');
    await page.getByLabel(/^Budget/).fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'An expedition needs a positive budget' }).waitFor();
    // Unsaved changes: leaving asks first.
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Accounts' }).click();
    const guard = page.getByRole('dialog', { name: 'Discard unsaved changes?' });
    await guard.getByRole('button', { name: 'Keep editing' }).click();
    expect(await page.getByLabel(/^Expedition name/).inputValue()).toBe('Zero budget trip');
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Accounts' }).click();
    await guard.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  });

  test('a date filter with a relative period', async () => {
    const { page } = h;
    const today = new Date().toISOString().slice(0, 10);
    await h.api('POST', '/expedition', { name: 'Starts today', status: 'planned', budget: 10, start_date: today });
    await page.goto('/o/expedition');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: 'Add condition' }).click();
    await input(page, 'Field of condition 1').click();
    await page.getByRole('option', { name: 'Start date', exact: true }).click();
    await input(page, 'Value of condition 1: kind of date').click();
    await page.getByRole('option', { name: 'This month' }).click();
    const table = page.getByRole('table', { name: 'Expeditions list' });
    await table.getByRole('link', { name: 'Starts today' }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBeLessThan(5);
  });

  test('phone width: navigation collapses, the list stays usable', async () => {
    const { page } = h;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/o/expedition');
    // A card per record: the name and the list's key fields, labelled, on the first screen.
    const cards = page.getByRole('list', { name: 'Expeditions list' });
    await cards.getByRole('link', { name: 'Solar canopy' }).waitFor();
    expect(await page.getByRole('table', { name: 'Expeditions list' }).count()).toBe(0);
    const card = cards.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Solar canopy', exact: true }) });
    expect(await card.getByRole('term').allInnerTexts()).toEqual(expect.arrayContaining(['Budget']));
    // Sorting has no headers to click on a phone: a select does it.
    await page.getByRole('combobox', { name: 'Sort by' }).selectOption({ label: 'Budget ↓' });
    await expect.poll(() => cards.getByRole('listitem').first().getByRole('link').first().innerText()).toBe('Warehouse retrofit');
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('-budget');
    // The navigation is off screen and out of the tab order until the burger opens it.
    expect(await page.getByRole('navigation', { name: 'Objects' }).count()).toBe(0);
    await expectAccessible(page, 'phone list');
    await screenshot(page, 'list-phone');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
