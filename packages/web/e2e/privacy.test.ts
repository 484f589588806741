import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dialogOpened, expectAccessible, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Privacy requests on a contact (issue 15 item 10, docs/privacy.md): the person's data downloads
 * as a tar.gz holding their record; erasure asks first, then says what it cleared, and the page
 * shows the anonymised record. Axe-clean.
 */
describe('privacy requests', () => {
  let h: Harness;
  let contact: { id: string };

  beforeAll(async () => {
    h = await startHarness();
    const account = await h.api('POST', '/account', { name: 'Fjord Printing' });
    contact = await h.api('POST', '/contact', { first_name: 'Ingrid', last_name: 'Dahl', email: 'ingrid.dahl@fjord.example', phone: '+47 22 00 00 00', account: account.id });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  test("downloads a person's data, then erases them after a confirmation that says what happens", async () => {
    const { page } = h;
    await page.goto(`/o/contact/${contact.id}`);
    await page.getByRole('heading', { level: 1, name: /Ingrid Dahl/ }).waitFor();
    await page.getByRole('button', { name: 'Privacy' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Download personal data' }).click()]);
    expect(download.suggestedFilename()).toBe(`contact-${contact.id}-data.tar.gz`);
    const tar = zlib.gunzipSync(await fs.promises.readFile((await download.path())!)).toString('latin1');
    expect(tar).toContain('ingrid.dahl@fjord.example');

    await page.getByRole('button', { name: 'Privacy' }).click();
    await page.getByRole('menuitem', { name: 'Erase personal data…' }).click();
    const dialog = page.getByRole('dialog', { name: /Erase Ingrid Dahl/ });
    await dialogOpened(dialog);
    await dialog.getByText('This cannot be undone', { exact: false }).waitFor();
    await expectAccessible(page, 'erase confirmation');
    await dialog.getByRole('button', { name: 'Erase personal data' }).click();
    const done = page.getByRole('dialog', { name: 'Personal data erased' });
    await done.getByText(/email/).first().waitFor();
    await expectAccessible(page, 'erasure result');
    await done.getByRole('button', { name: 'Done' }).click();
    const after = await h.api('GET', `/contact/${contact.id}`);
    expect(after.email ?? null).toBeNull();
    expect(JSON.stringify(after)).not.toContain('ingrid.dahl');
  });
});
