import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { expectAccessible, screenshot, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * The public booking page of a scheduling link (ACT-4): a visitor without an account, on a
 * phone in Tokyo, books a slot of a link whose hours are in UTC; the meeting lands on the host's calendar.
 */
const VISITOR_ZONE = 'Asia/Tokyo';
const ALL_DAY = JSON.stringify(Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['08:00', '18:00']]])));

describe('public booking page', () => {
  let h: Harness;
  let visitor: BrowserContext;
  let page: Page;
  let hostId: string;
  let linkId: string;

  beforeAll(async () => {
    h = await startHarness();
    const link = await h.api('POST', '/booking_link', { name: 'Intro call', slug: 'intro-e2e', duration_minutes: 30, time_zone: 'UTC', availability: ALL_DAY, min_notice_hours: 0, location: 'Video call', description: 'A first talk about your needs.' });
    hostId = link.owner;
    linkId = link.id;
    visitor = await h.browser.newContext({ baseURL: h.server.url, viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: VISITOR_ZONE });
    page = await visitor.newPage();
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await visitor?.close();
    await h?.close();
  });
  screenshotOnFailure(() => h && { ...h, page });

  test('a visitor books a free slot in their own time zone and the meeting is on the host\'s calendar', async () => {
    await page.goto('/book/intro-e2e');
    await page.getByRole('heading', { name: 'Intro call' }).waitFor();
    await page.getByText(`Times are shown in your time zone: ${VISITOR_ZONE}`).waitFor();
    const times = page.getByRole('group', { name: 'Free times' }).getByRole('button');
    await times.first().waitFor();
    await expectAccessible(page, 'booking page');
    await screenshot(page, 'booking-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const label = (await times.first().textContent())!.trim();
    // Keyboard: the time buttons are ordinary buttons.
    await times.first().focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Your name').fill('Mina Sato');
    await page.getByLabel('E-mail').fill('mina@example.jp');
    await page.getByLabel(/Anything to prepare/).fill('Pricing for 20 seats');
    await expectAccessible(page, 'booking form');
    await page.getByRole('button', { name: 'Book this time' }).click();
    await page.getByText("You're booked").waitFor();
    await expectAccessible(page, 'booking confirmation');

    const meetings = await h.api('POST', '/meeting/query', { filter: { field: 'subject', op: 'eq', value: 'Intro call with Mina Sato' } });
    expect(meetings.data).toHaveLength(1);
    const meeting = meetings.data[0];
    expect(meeting).toMatchObject({ owner: hostId, status: 'scheduled', location: 'Video call' });
    // What the visitor clicked is the meeting's start in Tokyo.
    expect(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', timeZone: VISITOR_ZONE }).format(new Date(meeting.start_at))).toBe(label);
    const contact = await h.api('GET', `/contact/${meeting.contact}`);
    expect(contact).toMatchObject({ first_name: 'Mina', last_name: 'Sato', email: 'mina@example.jp' });
  });

  test('a slot taken meanwhile sends the visitor back to fresh free times', async () => {
    await page.goto('/book/intro-e2e');
    const times = page.getByRole('group', { name: 'Free times' }).getByRole('button');
    await times.first().waitFor();
    await times.first().click();
    // Someone else takes the same slot just before the visitor's request arrives.
    let quick = 0;
    await page.route('**/api/v1/public/booking/intro-e2e', async (route) => {
      if (route.request().method() === 'POST') {
        const { start } = route.request().postDataJSON() as { start: string };
        quick = (await fetch(`${h.server.url}/api/v1/public/booking/intro-e2e`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start, name: 'Quick Person', email: 'quick@example.com' }) })).status;
      }
      await route.continue();
    });
    await page.getByLabel('Your name').fill('Slow Person');
    await page.getByLabel('E-mail').fill('slow@example.com');
    await page.getByRole('button', { name: 'Book this time' }).click();
    await page.getByRole('alert').filter({ hasText: 'Someone has just booked that time' }).waitFor();
    expect(quick).toBe(201);
    await times.first().waitFor();
    await page.unroute('**/api/v1/public/booking/intro-e2e');
  });

  test('the host copies the public link from the record page', async () => {
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(h.page);
    await h.page.goto(`/o/booking_link/${linkId}`);
    await h.page.getByRole('button', { name: 'Copy public link' }).click();
    await h.page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await h.page.evaluate(() => navigator.clipboard.readText())).toBe(`${h.server.url}/book/intro-e2e`);
  });

  test('an unknown link says so', async () => {
    await page.goto('/book/no-such-link');
    await page.getByText('This booking link is not available').waitFor();
    await expectAccessible(page, 'unknown booking link');
  });
});
