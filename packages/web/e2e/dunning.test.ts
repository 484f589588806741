import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN, dialogOpened, expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const eq = (field: string, value: unknown) => encodeURIComponent(JSON.stringify({ field, op: 'eq', value }));

/**
 * Payment reminders in the web app (issue 13 item 9): a level's template edited with the server's
 * live preview (a template error shown at the field), the dry run listing an overdue invoice's
 * account on a later day, and a dispute taking the invoice out of it.
 */
describe('dunning', () => {
  let h: Harness;
  let account: { id: string };
  let invoice: { id: string; number: string; due_date: string };
  let level: { id: string; schedule: string };

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${eq('code', 'each')}`)).data[0].id;
    const book = await h.api('POST', '/price_book', { name: 'Dunning USD', currency: 'USD', is_standard: true });
    const product = await h.api('POST', '/product', { code: 'SVC-DUN', name: 'Boiler service', unit_of_measure: unit });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: product.id, unit_price: '120.00' });
    account = await h.api('POST', '/account', { name: 'Harbor Bakery', email: 'ap@harbor-bakery.example', currency: 'USD', payment_terms: 'net_30' });
    const draft = (await h.api('POST', '/invoices', { invoice: { account: account.id }, lines: [{ product: product.id, quantity: 2 }] })).invoice;
    const posted = await h.api('POST', `/invoices/${draft.id}/post`, {});
    invoice = { id: draft.id, number: posted.number, due_date: posted.due_date };
    level = (await h.api('GET', `/dunning_level?filter=${eq('name', 'Friendly reminder')}`)).data[0];
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test("edit a level's template with the live preview, see the dry run, dispute the invoice out of it", async () => {
    const { page } = h;
    await page.goto(`/o/dunning_level/${level.id}`);
    await page.getByRole('heading', { level: 1, name: 'Friendly reminder' }).waitFor();
    const editor = page.getByRole('region', { name: 'Reminder e-mail' });
    const preview = editor.getByTestId('dunning-template-preview');
    await preview.getByText('Hello Sample Power Ltd,').waitFor();
    const body = editor.getByRole('textbox', { name: 'Body' });
    await body.fill('Dear {{ account.name }}, {{ invoice_count }} invoices are open: {{ total }}.');
    await preview.getByText('Dear Sample Power Ltd, 2 invoices are open: $1,330.50.').waitFor();
    // A template error comes back from the server and is shown at the field.
    await body.fill('Dear {{ account.nam | nofilter }}');
    await expect.poll(() => body.getAttribute('aria-invalid')).toBe('true');
    await editor.getByText(/^Body: /).waitFor();
    await body.fill('Dear {{ account.name }}, please pay {{ total }} (ref WEB-DUNNING).');
    await preview.getByText('Dear Sample Power Ltd, please pay $1,330.50 (ref WEB-DUNNING).').waitFor();
    expect(await body.getAttribute('aria-invalid')).not.toBe('true');
    await expectAccessible(page, 'level template editor');
    await editor.getByRole('button', { name: 'Save level' }).click();
    await page.getByText('Reminder level saved').waitFor();
    expect((await h.api('GET', `/dunning_level/${level.id}`)).body).toBe('Dear {{ account.name }}, please pay {{ total }} (ref WEB-DUNNING).');

    // The schedule's page lists its levels, linking to their editors.
    await page.goto(`/o/dunning_schedule/${level.schedule}`);
    const levels = page.getByRole('table', { name: 'Reminder levels' });
    await levels.getByRole('link', { name: 'Friendly reminder' }).waitFor();
    await levels.getByRole('row').filter({ hasText: 'Final notice' }).getByText('Creates a task').waitFor();
    await page.getByRole('link', { name: 'Reminders due today' }).click();

    // The dry run, five days after the invoice's due date: the account, its invoice, the e-mail.
    await page.getByRole('heading', { level: 1, name: 'Reminders due today' }).waitFor();
    await page.getByTestId('dunning-empty').waitFor();
    const day = plusDays(invoice.due_date, 5);
    await page.getByLabel('Date', { exact: true }).fill(day);
    await page.getByRole('heading', { level: 1, name: /^Reminders due on / }).waitFor();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Harbor Bakery' }) });
    await card.getByText('Level 1 · Friendly reminder').waitFor();
    await card.getByText('To ap@harbor-bakery.example').waitFor();
    const row = card.getByRole('row').filter({ has: page.getByRole('link', { name: invoice.number }) });
    await row.getByRole('cell', { name: '$240.00' }).waitFor();
    await row.getByRole('cell', { name: '5', exact: true }).waitFor();
    await page.getByTestId('dunning-summary').getByText(/^1 e-mail to 1 account for 1 invoice · \$240\.00 open/).waitFor();
    const show = card.getByRole('button', { name: 'Show e-mail' });
    await show.click();
    await card.getByText('Dear Harbor Bakery, please pay $240.00 (ref WEB-DUNNING).').waitFor();
    expect(await card.getByRole('button', { name: 'Hide e-mail' }).getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('button', { name: 'Send reminders now…' }).waitFor();
    await expectAccessible(page, 'reminders dry run');
    await screenshot(page, 'dunning-preview');
    // At phone width nothing spills sideways (the invoices table scrolls in its own box).
    await page.setViewportSize({ width: 390, height: 844 });
    await card.getByText('Level 1 · Friendly reminder').waitFor();
    // Polled: the layout settles after the resize (measured at once it can still be the wide one).
    const wide = () => page.evaluate(() => [document.documentElement, ...Array.from(document.querySelectorAll('main, main > *, main li, main [data-testid=dunning-mail]'))].filter((el) => el.scrollWidth > window.innerWidth + 1 || el.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth} ${Math.round(el.getBoundingClientRect().right)}`));
    await expect.poll(wide).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 860 });

    // A dispute takes the invoice out of the run.
    await page.goto(`/o/invoice/${invoice.id}`);
    await page.getByRole('heading', { level: 1, name: invoice.number }).waitFor();
    await page.getByRole('button', { name: 'Mark disputed…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mark the invoice disputed' });
    await dialogOpened(dialog);
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Second visit was not ordered');
    await dialog.getByRole('button', { name: 'Mark disputed' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Disputed — no reminders').waitFor();
    await page.getByText('The customer disputes this invoice: Second visit was not ordered').waitFor();
    await page.getByRole('button', { name: 'Clear dispute' }).waitFor();
    expect(await h.api('GET', `/invoice/${invoice.id}`)).toMatchObject({ disputed: true, dispute_reason: 'Second visit was not ordered' });
    await expectAccessible(page, 'disputed invoice');

    await page.goto('/reminders');
    await page.getByTestId('dunning-empty').waitFor();
    await page.getByLabel('Date', { exact: true }).fill(day);
    await page.getByRole('heading', { level: 2, name: /^No reminders would be due on / }).waitFor();
    expect(await page.getByRole('heading', { name: 'Harbor Bakery' }).count()).toBe(0);
  });

  test('without the permission the dry run explains itself', async () => {
    const { page } = h;
    const user = { email: 'sam@example.com', password: 'standard-password-123' };
    await h.server.createUser({ ...user, profile: 'standard', lastName: 'Standard' });
    await h.context.clearCookies();
    await signIn(page, user);
    await page.goto('/reminders');
    await page.getByText('You cannot run payment reminders').waitFor();
    expect(await page.getByRole('button', { name: 'Send reminders now…' }).count()).toBe(0);
    await expectAccessible(page, 'reminders without permission');
    await h.context.clearCookies();
    await signIn(page, ADMIN);
  });
});
