import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN, expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/** First run, sign-in, sign-out and a session that expires in the middle of a form. */
describe('setup and sign-in', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ admin: false });
  });
  afterAll(async () => {
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('first-run setup creates the administrator and signs in', async () => {
    const { page, server } = h;
    await page.goto('/');
    await page.waitForURL(/\/setup/);
    expect(server.setupUrl).toBeTruthy();
    await page.goto(server.setupUrl!.replace(server.url, ''));
    await page.getByRole('heading', { name: 'Set up Meridian' }).waitFor();
    await expectAccessible(page, 'setup');
    await screenshot(page, 'setup');
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Admin');
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill('short');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    // The server's field error lands at the password field.
    await page.getByText('Use at least 10 characters').waitFor();
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    // The home page is "My day", greeting the new administrator by name.
    await page.getByRole('heading', { name: 'My day', level: 1 }).waitFor();
    await page.getByText('Hello, Ada').waitFor();
    await expectAccessible(page, 'home');
  });

  test('sign out, then sign in again (wrong password first)', async () => {
    const { page } = h;
    await page.getByRole('button', { name: /User menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill('wrong-password-0000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await signIn(page);
    await page.getByRole('heading', { name: 'My day', level: 1 }).waitFor();
    expect(await page.getByText('Hello, Ada').isVisible()).toBe(true);
  });

  test('an expired session asks to sign in without losing the half-filled form', async () => {
    const { page, context } = h;
    await page.goto('/o/account/new');
    await page.getByLabel('Account name').fill('Kept Across Sign-in Ltd');
    await page.getByLabel('Phone').fill('+1 555 0100');
    await context.clearCookies();
    await page.getByRole('button', { name: 'Save' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your session has expired' });
    await dialog.waitFor();
    await expectAccessible(page, 'session expired dialog');
    await dialog.getByLabel(/^Password/).fill(ADMIN.password);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    // The parked save goes through after sign-in and opens the new record.
    await page.getByRole('heading', { name: 'Kept Across Sign-in Ltd' }).waitFor();
    expect(await page.getByText('+1 555 0100').first().isVisible()).toBe(true);
  });
});
