import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * The online quote (issue 11 item 10) as a customer on a phone in Germany sees it: the quote in
 * their locale, an optional item added with the server's new total, acceptance with a typed
 * signature and consent; the rep's quote is then accepted and the deal won.
 */
describe('online quote page', () => {
  let h: Harness;
  let customer: BrowserContext;
  let page: Page;
  let quoteId: string;
  let opportunityId: string;
  let token: string;

  beforeAll(async () => {
    h = await startHarness();
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const service = await h.api('POST', '/product', { code: 'SVC-E2E', name: 'Annual generator service', unit_of_measure: unit });
    const part = await h.api('POST', '/product', { code: 'PRT-E2E', name: 'Spare battery', unit_of_measure: unit });
    const book = await h.api('POST', '/price_book', { name: 'E2E EUR', currency: 'EUR', is_standard: true });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: service.id, unit_price: '1234.50' });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: part.id, unit_price: '99.90' });
    const account = await h.api('POST', '/account', { name: 'Müller Energietechnik GmbH', currency: 'EUR' });
    const contact = await h.api('POST', '/contact', { first_name: 'Jürgen', last_name: 'Weiß', account: account.id });
    const opportunity = await h.api('POST', '/opportunity', { name: 'Wartungsvertrag', account: account.id, currency: 'EUR', amount: 1000, close_date: '2027-01-31' });
    opportunityId = opportunity.id;
    const created = await h.api('POST', '/quotes', {
      quote: { account: account.id, contact: contact.id, opportunity: opportunity.id, title: 'Wartung 2027', terms_text: 'Zahlbar innerhalb von 30 Tagen.' },
      lines: [{ product: service.id, quantity: 1 }, { product: part.id, quantity: 2, optional: true }],
    });
    quoteId = created.quote.id;
    await h.api('POST', `/quotes/${quoteId}/send`, {});
    token = (await h.api('POST', `/quotes/${quoteId}/links`, {})).url.split('/q/')[1];
    customer = await h.browser.newContext({ baseURL: h.server.url, viewport: { width: 390, height: 844 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    page = await customer.newPage();
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await customer?.close();
    await h?.close();
  });
  screenshotOnFailure(() => h && { ...h, page });

  test('the customer adds an optional item, sees the exact total in their locale, and accepts with a typed signature', async () => {
    await page.goto(`/q/${token}`);
    await page.getByRole('heading', { name: 'Wartung 2027' }).waitFor();
    const total = page.getByTestId('quote-total');
    // Intl puts a no-break space before the euro sign.
    const shown = async () => (await total.textContent())?.replace(/\s/g, ' ');
    await expect.poll(shown).toBe('1.234,50 €');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(page, 'online quote');
    await screenshot(page, 'online-quote-phone');
    expect((await h.api('GET', `/quote/${quoteId}`)).status).toBe('viewed');

    await page.getByLabel('Add Spare battery to my order').check();
    await expect.poll(shown).toBe('1.434,30 €');
    await page.getByRole('button', { name: /^Accept for/ }).click();
    await page.getByLabel(/Your full name/).waitFor();
    await expect.poll(() => page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);

    await page.getByLabel(/Your full name/).fill('Jürgen Weiß');
    await page.getByLabel(/I have read the quote/).check();
    await page.getByRole('button', { name: /Accept for 1\.434,30/ }).click();
    await page.getByText('Accepted — thank you').waitFor();
    await expectAccessible(page, 'online quote accepted');

    const quote = await h.api('GET', `/quote/${quoteId}`);
    expect(quote).toMatchObject({ status: 'accepted', accepted_by_name: 'Jürgen Weiß', accepted_total: 1434.3 });
    expect(quote.accepted_pdf_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(quote.accepted_user_agent).toContain('Chrome');
    expect((await h.api('GET', `/opportunity/${opportunityId}`)).stage).toBe('closed_won');
    const pdf = await page.request.get(`/api/v1/public/quotes/${token}/pdf`);
    expect([pdf.status(), pdf.headers()['content-type']]).toEqual([200, 'application/pdf']);
  });

  test('the rep finds the accepted quote as a confirmed order on the deal\'s timeline, at the accepted total', async () => {
    await signIn(h.page);
    await h.page.goto(`/o/opportunity/${opportunityId}`);
    const item = h.page.locator('.timeline-item[data-kind="order"]');
    await item.waitFor();
    await item.getByRole('link').click();
    await h.page.getByRole('heading', { name: /^SO-\d{4}-\d{5}$/ }).waitFor();
    const order = (await h.api('GET', `/order?filter=${encodeURIComponent(JSON.stringify({ field: 'quote', op: 'eq', value: quoteId }))}`)).data[0];
    expect(order).toMatchObject({ status: 'confirmed', source: 'quote', total: 1434.3, currency: 'EUR' });
    await expectAccessible(h.page, 'order from an accepted quote');
  });

  test('a withdrawn link shows a page that reveals nothing', async () => {
    await page.goto('/q/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await page.getByText('This quote link is not available').waitFor();
    await expectAccessible(page, 'online quote missing');
  });
});
