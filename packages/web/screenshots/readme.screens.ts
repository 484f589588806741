import { afterAll, beforeAll, expect, test } from 'vitest';
import { screenshot, settle, signIn, startHarness, type Harness } from '../e2e/harness';

/**
 * The README's pictures (issue 17 item 15), taken from the real app on the demo organisation so
 * they stay true: `npm run screenshots -w @meridian/web` rewrites docs/screenshots/readme-*.png.
 * Not part of `npm test` (vitest.screenshots.config.ts).
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.api('POST', '/admin/seed-demo');
}, 120_000);
afterAll(async () => h?.close());

test('home, list, record and board, as the README shows them', async () => {
  const { page } = h;
  // The demo loads in the background; wait for it (a state, not a fixed time).
  await expect.poll(async () => (await h.api('GET', '/admin/seed-demo')).state, { timeout: 600_000, interval: 1000 }).toBe('done');
  // Signed in once the demo is in: loading it keeps the server busy (a sign-in during it can time out).
  await signIn(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await page.getByRole('heading', { name: 'My day', level: 1 }).waitFor();
  await settle(page);
  await screenshot(page, 'readme-home');

  await page.goto('/o/opportunity');
  await page.getByRole('table', { name: 'Opportunities list' }).locator('tbody tr').first().waitFor();
  await settle(page);
  await screenshot(page, 'readme-list');

  // The account with the most deals: a record page with a hierarchy, roll-ups and a timeline.
  const accounts = await h.api('POST', '/account/query', { filter: { field: 'parent_account', op: 'isNull', value: true }, limit: 50, fields: ['name'] });
  let best = accounts.data[0].id as string;
  let most = -1;
  for (const a of accounts.data as Array<{ id: string }>) {
    const n = (await h.api('POST', '/opportunity/count', { filter: { field: 'account', op: 'eq', value: a.id } })).count;
    if (n > most) [best, most] = [a.id, n];
  }
  await page.goto(`/o/account/${best}`);
  await page.getByRole('region', { name: 'Activity' }).waitFor();
  await settle(page);
  await screenshot(page, 'readme-record');

  await page.goto('/o/opportunity/board');
  await page.locator('.kanban-card').first().waitFor();
  await settle(page);
  await screenshot(page, 'readme-board');
}, 700_000);
