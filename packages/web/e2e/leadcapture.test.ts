import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * Lead capture in the browser (issue 14 items 8, 10, 11): the form builder's live preview and
 * snippets, the hosted form filled in and sent by a visitor (a lead with the form's hidden
 * fields), and the speed-to-lead report after a logged call; axe-clean at 1280 and 390 px.
 */
describe('lead capture', () => {
  let h: Harness;
  let form: { id: string; public_id: string };

  beforeAll(async () => {
    h = await startHarness();
    form = await h.api('POST', '/web_form', { name: 'Roof inspection request', fields: 'last_name*, email*', campaign: 'Storm season', min_seconds: 0 });
    await signIn(h.page);
  });
  afterAll(async () => h?.close());
  screenshotOnFailure(() => h);

  const noSidewaysScroll = (h: Harness) => h.page.evaluate(() => [document.documentElement, ...Array.from(document.querySelectorAll('main, main > *'))]
    .filter((el) => el.scrollWidth > window.innerWidth + 1).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}`));

  test('the builder previews the fields as they are typed, refuses an unknown one, saves and shows the snippets', async () => {
    const { page } = h;
    await page.goto(`/o/web_form/${form.id}`);
    const builder = page.getByRole('region', { name: 'Form builder' });
    const preview = builder.getByRole('region', { name: 'Live preview' });
    await preview.getByRole('textbox', { name: /^E-mail/ }).waitFor();
    const fields = builder.getByRole('textbox', { name: /^Fields/ });
    await fields.fill('first_name, last_name*, email*, phone, industry');
    await preview.getByRole('textbox', { name: /^Phone/ }).waitFor();
    await preview.getByRole('combobox', { name: /^Industry/ }).waitFor();
    await fields.fill('last_name*, email*, password');
    await builder.getByText("'password' is not a lead field a form can ask for").waitFor();
    expect(await builder.getByRole('button', { name: 'Save form' }).isDisabled()).toBe(true);
    await fields.fill('first_name, last_name*, email*, phone');
    await preview.getByRole('textbox', { name: /^Phone/ }).waitFor();
    await builder.getByRole('button', { name: 'Save form' }).click();
    await expect.poll(async () => (await h.api('GET', `/web_form/${form.id}`)).fields).toBe('first_name, last_name*, email*, phone');
    await builder.getByText(`/f/${form.public_id}/embed.js`).waitFor();
    await builder.getByText('No spam blocked yet.').waitFor();
    await expectAccessible(page, 'form builder');
    await screenshot(page, 'leadcapture-form-builder');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => noSidewaysScroll(h)).toEqual([]);
    await expectAccessible(page, 'form builder (phone)');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('a visitor sends the hosted form; the lead is measured and shows in the speed-to-lead report', async () => {
    // A visitor without a session; CSP bypassed only so the harness can inject axe (the page's own script runs by its nonce).
    const visitorContext = await h.browser.newContext({ baseURL: h.server.url, bypassCSP: true, locale: 'en-US' });
    const visitor = await visitorContext.newPage();
    try {
      await visitor.goto(`/f/${form.public_id}?utm_source=newsletter`);
      await visitor.getByRole('heading', { level: 1, name: 'Roof inspection request' }).waitFor();
      await expectAccessible(visitor, 'hosted form');
      await visitor.getByRole('textbox', { name: /^First name/ }).fill('Grace');
      await visitor.getByRole('textbox', { name: /^Last name/ }).fill('Hopper');
      await visitor.getByRole('textbox', { name: /^E-mail/ }).fill('grace.hopper@navy.example');
      await visitor.getByRole('button', { name: 'Send' }).click();
      await visitor.getByText('Thank you, we will be in touch shortly.').waitFor();
    } finally {
      await visitorContext.close();
    }
    const filter = encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'grace.hopper@navy.example' }));
    const [lead] = (await h.api('GET', `/lead?filter=${filter}`)).data;
    expect(lead).toMatchObject({ last_name: 'Hopper', source: 'web', campaign: 'Storm season', utm_source: 'newsletter', web_form: form.id });
    await h.api('POST', '/call', { subject: 'Called back', start_at: new Date().toISOString(), lead: lead.id });

    const { page } = h;
    await page.goto('/speed-to-lead');
    await page.getByRole('heading', { level: 1, name: 'Speed to lead' }).waitFor();
    const table = page.getByRole('table', { name: 'Speed to lead' });
    await page.getByRole('combobox', { name: 'Group by' }).selectOption('source');
    const web = table.getByRole('row', { name: /^Web\b/ });
    await web.waitFor();
    expect(await web.getByRole('cell').allTextContents()).toEqual(['1', '1', '1', '100%', expect.stringMatching(/min$/)]);
    await expectAccessible(page, 'speed to lead');
    await screenshot(page, 'leadcapture-speed-to-lead');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => noSidewaysScroll(h)).toEqual([]);
    await expectAccessible(page, 'speed to lead (phone)');
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
