import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, input, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Integration clients and single sign-on in the browser (issue 15 items 8, 9, 12): the admin
 * settings pages, and "Sign in with …" against a real OpenID provider (oidc-provider, its
 * development sign-in form) started here.
 */
interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

describe('integration clients and single sign-on', () => {
  let h: Harness;
  let idp: TestProvider;
  beforeAll(async () => {
    h = await startHarness();
    // The callback URL is built from the public URL: this server's real address.
    (h.server as unknown as { platform: { config: { publicUrl: string } } }).platform.config.publicUrl = h.server.url;
    const { startOidcProvider } = (await import(/* @vite-ignore */ path.resolve(here, '../../server/test/sso/provider.ts'))) as {
      startOidcProvider(a: { redirectUri: string; accounts: Record<string, { email: string; email_verified: boolean }>; host?: string }): Promise<TestProvider>;
    };
    idp = await startOidcProvider({
      redirectUri: `${h.server.url}/auth/sso/callback`,
      accounts: { grace: { email: 'grace@acme.test', email_verified: true }, mallory: { email: 'mallory@evil.test', email_verified: true } },
    });
    await signIn(h.page);
  });
  afterAll(async () => {
    await idp?.close();
    await h?.close();
  });
  screenshotOnFailure(() => h);

  test('an administrator configures a provider and tests the connection', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Single sign-on' }).click();
    await page.getByRole('heading', { name: 'Single sign-on', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add identity provider' });
    await dialogOpened(dialog);
    await dialog.getByLabel(/^Name on the sign-in button/).fill('Acme ID');
    await dialog.getByLabel(/^Issuer URL/).fill(idp.issuer);
    await dialog.getByLabel(/^Client id/).fill(idp.clientId);
    await dialog.getByLabel(/^Client secret/).fill(idp.clientSecret);
    const domains = dialog.getByLabel(/^Allowed e-mail domains/);
    await domains.fill('acme.test');
    await domains.press('Enter');
    await input(dialog, 'Profile of new users').click();
    await page.getByRole('option', { name: 'Standard' }).click();
    await expectAccessible(page, 'identity provider dialog');
    await dialog.getByRole('button', { name: 'Save provider' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Test connection to Acme ID' }).click();
    await page.getByRole('status').filter({ hasText: 'Connection works' }).waitFor();
    await expectAccessible(page, 'single sign-on settings');
    await screenshot(page, 'single-sign-on-settings');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible(page, 'single sign-on settings at 390 px');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('an administrator registers an integration client, sees the secret once, rotates and revokes it', async () => {
    const { page } = h;
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Integration clients' }).click();
    await page.getByRole('heading', { name: 'Integration clients', level: 1 }).waitFor();
    await page.getByLabel(/^Client name/).fill('Warehouse sync');
    await input(page, 'Acts as').click();
    await page.getByRole('option', { name: /Robot/ }).click();
    await page.getByRole('button', { name: 'Register client' }).click();
    const secret = page.getByTestId('client-secret');
    await secret.waitFor();
    const first = (await secret.textContent())!;
    const clientId = (await page.getByTestId('client-id').textContent())!;
    expect(first).toMatch(/^mcs_/);
    await page.getByRole('button', { name: 'Copy secret' }).waitFor();
    await expectAccessible(page, 'integration clients');
    await screenshot(page, 'integration-clients');
    // The secret works at the token endpoint, as any OAuth 2.0 client would use it.
    const token = async (s: string) => (await fetch(`${h.server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: s }) })).status;
    expect(await token(first)).toBe(200);
    await page.getByRole('button', { name: 'Rotate secret of Warehouse sync' }).click();
    await expect.poll(async () => page.getByTestId('client-secret').textContent()).not.toBe(first);
    expect(await token(first)).toBe(401);
    await page.getByRole('button', { name: 'Revoke Warehouse sync' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Warehouse sync?' });
    await dialogOpened(dialog);
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('row').filter({ hasText: 'Warehouse sync' }).getByText('Revoked').waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible(page, 'integration clients at 390 px');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('staff sign in with the provider; a domain that is not allowed gets a clear error', async () => {
    // The last test: the admin signs out (cookies gone, at Meridian and at the provider).
    const { page, context } = h;
    await context.clearCookies();
    const viaProvider = async (login: string) => {
      await page.goto('/login');
      await page.getByRole('link', { name: 'Sign in with Acme ID' }).click();
      // (poll the URL: a failure then shows where the browser went instead)
      await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`${idp.issuer}/interaction/`);
      await page.getByPlaceholder('Enter any login').fill(login);
      await page.getByPlaceholder('and password').fill('any-password');
      await page.getByRole('button', { name: /sign-in/i }).click();
    };
    await viaProvider('mallory');
    await page.waitForURL(/\/login\?sso_error=domain_not_allowed/);
    await page.getByRole('alert').filter({ hasText: 'Your e-mail domain may not sign in here.' }).waitFor();
    await expectAccessible(page, 'sign-in page with a single sign-on error');
    await screenshot(page, 'sign-in-with-sso');

    // Signed out at the provider too, so its form asks who signs in next.
    await context.clearCookies();
    await viaProvider('grace');
    await page.getByRole('navigation', { name: 'Objects' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    expect(me).toMatchObject({ email: 'grace@acme.test', profile: 'standard' });
  });
});
