import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Settings → Lead assignment (issue 14 items 9 and 11): a territory and a rule created in the
 * page (the rule's condition with the filter builder), the rule moved up (the order saved), a
 * group with a member and whose turn is next, an absence, and leads tested against the rules —
 * the expected user named, nothing assigned. Axe-clean.
 */
describe('lead assignment', () => {
  let h: Harness;
  let west: { id: string };
  let robin: { id: string };

  beforeAll(async () => {
    h = await startHarness();
    west = await h.server.createUser({ email: 'wendy.west@example.com', password: 'wendy-password-123', firstName: 'Wendy', lastName: 'West' });
    robin = await h.server.createUser({ email: 'rob.robin@example.com', password: 'robin-password-123', firstName: 'Rob', lastName: 'Robin' });
    await h.api('POST', '/assignment_rule', { name: 'Everyone else', sort_order: 10, target: 'user', user: robin.id });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const rules = async () => (await h.api('GET', '/assignment_rule?sort=sort_order')).data.map((r: { name: string }) => r.name);

  test('a territory and a rule made in the page, the rule moved up, and a lead tested against them', async () => {
    const { page } = h;
    // The generic list of rules leads to the page; so does Settings in the navigation.
    await page.goto('/o/assignment_rule');
    await page.getByRole('link', { name: 'Lead assignment page' }).click();
    await page.getByRole('heading', { level: 1, name: 'Lead assignment' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/lead-assignment');
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Lead assignment' }).waitFor();
    await page.getByRole('table', { name: 'Assignment rules' }).getByRole('row', { name: /Everyone else/ }).waitFor();

    // A territory: the US west coast goes to Wendy.
    await page.getByRole('tab', { name: 'Territories' }).click();
    await page.getByRole('button', { name: 'New territory' }).click();
    let d = page.getByRole('dialog', { name: 'New territory' });
    await dialogOpened(d);
    await input(d, 'Name').fill('West coast');
    await input(d, 'Countries').fill('US');
    await input(d, 'Countries').press('Enter');
    await input(d, 'States').fill('CA');
    await input(d, 'States').press('Enter');
    await input(d, 'Postal code from').fill('90000');
    await input(d, 'Postal code to').fill('96199');
    await input(d, 'User').fill('West');
    await page.getByRole('option', { name: 'Wendy West' }).click();
    await d.getByRole('button', { name: 'Save territory' }).click();
    await d.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Territories' }).getByRole('row', { name: /West coast.*US · CA · postal codes 90000–96199.*Wendy West/ }).waitFor();
    expect((await h.api('GET', '/territory')).data[0]).toMatchObject({ name: 'West coast', countries: 'US', states: 'CA', user: west.id });

    // A rule: web leads go by territory; created last, then moved above "Everyone else".
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    d = page.getByRole('dialog', { name: 'New assignment rule' });
    await dialogOpened(d);
    await input(d, 'Name').fill('Web leads by territory');
    await d.getByRole('button', { name: 'Add condition' }).click();
    await input(d, 'Field of condition 1').click();
    await page.getByRole('option', { name: 'Lead source', exact: true }).click();
    await input(d, 'Value of condition 1').click();
    await page.getByRole('option', { name: 'Web', exact: true }).click();
    await d.getByText('Territory', { exact: true }).click();
    await expectAccessible(page, 'assignment rule editor');
    await d.getByRole('button', { name: 'Save rule' }).click();
    await d.waitFor({ state: 'detached' });
    const table = page.getByRole('table', { name: 'Assignment rules' });
    await table.getByRole('row', { name: /Web leads by territory.*Lead source is Web.*The lead’s territory/ }).waitFor();
    expect(await rules()).toEqual(['Everyone else', 'Web leads by territory']);
    const up = page.getByRole('button', { name: 'Move Web leads by territory up' });
    await up.focus();
    await page.keyboard.press('Enter');
    await expect.poll(rules).toEqual(['Web leads by territory', 'Everyone else']);
    await expect.poll(async () => (await table.getByRole('row').nth(1).textContent()) ?? '').toMatch(/^1Web leads by territory/);
    // At the top its ↑ is disabled: the keyboard's focus is on its ↓, to move it on.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move Web leads by territory down');
    await expectAccessible(page, 'lead assignment rules');
    await screenshot(page, 'lead-assignment-rules');

    // Test a lead: a web lead from California goes to Wendy; without the source, to Rob.
    await page.getByRole('tab', { name: 'Test a lead' }).click();
    await input(page, 'Country').fill('US');
    await input(page, 'State').fill('CA');
    await input(page, 'Postal code').fill('94105');
    await input(page, 'Lead source').click();
    await page.getByRole('option', { name: 'Web', exact: true }).click();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const result = page.getByRole('status').filter({ hasText: 'Result' });
    await result.getByText('Rule Web leads by territory gives the lead to Wendy West.').waitFor();
    await expectAccessible(page, 'test a lead');
    await input(page, 'State').fill('NY');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await result.getByText('Rule Everyone else gives the lead to Rob Robin.').waitFor();
    expect((await h.api('GET', '/lead')).data).toEqual([]);
  });

  test('a group with its next turn; an absence makes the rules pass over the rep', async () => {
    const { page } = h;
    await page.getByRole('tab', { name: 'Groups' }).click();
    await input(page, 'New group').fill('Inside sales');
    await page.getByRole('button', { name: 'Add group' }).click();
    const group = page.getByRole('region', { name: 'Group Inside sales' });
    await group.getByText('No members yet').waitFor();
    await input(group, 'Add a member to Inside sales').fill('Robin');
    await page.getByRole('option', { name: 'Rob Robin' }).click();
    await group.getByRole('button', { name: 'Add member' }).click();
    await group.getByRole('list', { name: 'Members of Inside sales' }).getByText('Rob Robin').waitFor();
    await group.getByText('Next lead goes to Rob Robin').waitFor();
    await expectAccessible(page, 'assignment groups');

    const today = new Date().toISOString().slice(0, 10);
    await page.getByRole('tab', { name: 'Out of office' }).click();
    await page.getByText('Nobody is out of office today or later.').waitFor();
    await input(page, 'User').fill('West');
    await page.getByRole('option', { name: 'Wendy West' }).click();
    await input(page, 'Reason').fill('Holiday');
    await page.getByRole('button', { name: 'Add absence' }).click();
    await page.getByRole('table', { name: 'Out of office' }).getByRole('row', { name: /Wendy West \(away now\).*Holiday/ }).waitFor();
    expect((await h.api('GET', '/out_of_office')).data[0]).toMatchObject({ user: west.id, starts_on: today, ends_on: today });
    await expectAccessible(page, 'out of office');

    await page.getByRole('tab', { name: 'Test a lead' }).click();
    await input(page, 'Country').fill('US');
    await input(page, 'State').fill('CA');
    await input(page, 'Lead source').click();
    await page.getByRole('option', { name: 'Web', exact: true }).click();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByRole('status').getByText('Rule Everyone else gives the lead to Rob Robin.').waitFor();

    // On a phone: no sideways scroll of the page (wide tables scroll in their own box), still axe-clean.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('table', { name: 'Assignment rules' }).waitFor();
    await expect.poll(() => page.evaluate(() => [document.documentElement, ...Array.from(document.querySelectorAll('main, main > *'))]
      .filter((el) => el.scrollWidth > window.innerWidth + 1).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}`))).toEqual([]);
    await expectAccessible(page, 'lead assignment rules (phone)');
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
