import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSmtp, type Mail, type TestSmtp } from './smtp';
import type { BrowserContext, Page } from 'playwright-core';
import { expectAccessible, screenshotOnFailure, startHarness, type Harness } from './harness';

/**
 * The customer portal (issue 13 item 5) on a phone: staff invite a contact, the sign-in link
 * arrives through a real SMTP server, the contact signs in, sees the dashboard and invoices,
 * accepts a quote, updates the billing details — keyboard-usable and axe-clean at 390 px — and
 * the link does not work a second time.
 */
describe('customer portal', () => {
  let h: Harness;
  let smtp: TestSmtp;
  const inbox: Mail[] = [];
  let customer: BrowserContext;
  let page: Page;
  const ids: Record<string, string> = {};

  const waitForMail = async (to: string, count: number) => {
    for (let i = 0; i < 200 && inbox.filter((m) => m.to.includes(to)).length < count; i++) await new Promise((r) => setTimeout(r, 50));
    const mails = inbox.filter((m) => m.to.includes(to));
    expect(mails.length).toBeGreaterThanOrEqual(count);
    const token = /\/portal\/link#([A-Za-z0-9_-]{43})/.exec(mails.at(-1)!.raw.replace(/=\r?\n/g, ''))?.[1];
    expect(token).toBeTruthy();
    return token!;
  };

  beforeAll(async () => {
    smtp = await startSmtp(inbox);
    h = await startHarness({ smtpUrl: smtp.url });
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const service = await h.api('POST', '/product', { code: 'SVC-PORTAL', name: 'Generator inspection', unit_of_measure: unit });
    const part = await h.api('POST', '/product', { code: 'PRT-PORTAL', name: 'Oil filter', unit_of_measure: unit });
    const book = await h.api('POST', '/price_book', { name: 'Portal USD', currency: 'USD', is_standard: true });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: service.id, unit_price: '120.00' });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: part.id, unit_price: '15.00' });
    const account = await h.api('POST', '/account', { name: 'Harbor Power & Light', currency: 'USD' });
    ids.account = account.id;
    ids.contact = (await h.api('POST', '/contact', { first_name: 'Dana', last_name: 'Buyer', email: 'dana@harbor.example', account: account.id })).id;
    const draft = await h.api('POST', '/invoices', { invoice: { account: account.id, contact: ids.contact }, lines: [{ product: service.id, quantity: 2 }] });
    await h.api('POST', `/invoices/${draft.invoice.id}/post`, {});
    ids.invoice = draft.invoice.id;
    const opportunity = await h.api('POST', '/opportunity', { name: 'Service 2027', account: account.id, currency: 'USD', amount: 500, close_date: '2027-01-31' });
    const quote = await h.api('POST', '/quotes', { quote: { account: account.id, contact: ids.contact, opportunity: opportunity.id, title: 'Standby service 2027' }, lines: [{ product: service.id, quantity: 1 }, { product: part.id, quantity: 2, optional: true }] });
    await h.api('POST', `/quotes/${quote.quote.id}/send`, {});
    ids.quote = quote.quote.id;
    await h.api('POST', '/portal_link', { account: account.id, label: 'PO portal', url: 'https://po.harbor.example/', position: 1 });
    customer = await h.browser.newContext({ baseURL: h.server.url, viewport: { width: 390, height: 844 }, locale: 'en-US', timezoneId: 'America/Los_Angeles', isMobile: true, hasTouch: true });
    page = await customer.newPage();
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await customer?.close();
    await h?.close();
    await smtp?.close();
  });
  screenshotOnFailure(() => h && { ...h, page });

  test('asking for a link answers without telling who is a customer', async () => {
    await page.goto('/portal/sign-in');
    await page.getByRole('heading', { name: 'Sign in to the customer portal' }).waitFor();
    await expectAccessible(page, 'portal sign-in');
    await page.getByLabel('E-mail address').fill('nobody@nowhere.example');
    await page.keyboard.press('Enter');
    await page.getByText('Check your mail').waitFor();
    await expectAccessible(page, 'portal check your mail');
  });

  test('staff invite the contact; the e-mailed link signs them in once; dashboard and invoices at phone width', async () => {
    await h.api('POST', `/contact/${ids.contact}/portal-access/invite`);
    const token = await waitForMail('dana@harbor.example', 1);
    await page.goto(`/portal/link#${token}`);
    await page.getByRole('heading', { name: 'Welcome, Dana Buyer' }).waitFor();
    await page.getByText('$240.00').first().waitFor();
    await expectAccessible(page, 'portal dashboard');
    // No horizontal scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);

    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Invoices' }).click();
    await page.getByRole('heading', { name: 'Invoices' }).waitFor();
    const pay = page.getByRole('button', { name: 'Pay selected invoices' });
    await pay.waitFor();
    const invoiceBox = page.getByRole('checkbox', { name: /Select Invoice .* to pay/ });
    await invoiceBox.check();
    await expectAccessible(page, 'portal invoices');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);

    // The link worked once.
    const second = await customer.newPage();
    await second.goto(`/portal/link#${token}`);
    await second.getByText('This link does not work').waitFor();
    await second.close();
  });

  test('accepts a quote with an optional line, keyboard only', async () => {
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Quotes' }).click();
    await page.getByRole('link', { name: /^Quote / }).first().click();
    await page.getByRole('heading', { name: /^Quote / }).waitFor();
    await page.getByRole('checkbox', { name: 'Oil filter (optional)' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('checkbox', { name: /I have read the quote/ }).focus();
    await page.keyboard.press('Space');
    await expectAccessible(page, 'portal quote');
    await page.getByRole('button', { name: 'Accept quote' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(/Accepted by Dana Buyer/).waitFor();
    const quote = await h.api('GET', `/quote/${ids.quote}`);
    expect(quote).toMatchObject({ status: 'accepted', accepted_by_name: 'Dana Buyer' });
  });

  test('updates the billing details; staff see it in history and the access log', async () => {
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Your details' }).click();
    await page.getByRole('heading', { name: 'Your details' }).waitFor();
    await page.getByLabel('Street').fill('1 Harbor Way');
    await page.getByLabel('City').fill('Portland');
    await page.getByLabel('E-mail for invoices').fill('ap@harbor.example');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved. Thank you').waitFor();
    await expectAccessible(page, 'portal details');
    expect(await h.api('GET', `/account/${ids.account}`)).toMatchObject({ billing_street: '1 Harbor Way', billing_city: 'Portland', email: 'ap@harbor.example' });
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Links' }).click();
    await page.getByRole('link', { name: 'PO portal' }).waitFor();
    const access = await h.api('GET', `/contact/${ids.contact}/portal-access`);
    expect(access.log.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['invited', 'signed_in', 'quote_accepted', 'profile_updated', 'viewed']));
  });
});
