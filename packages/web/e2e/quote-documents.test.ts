import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { expectAccessible, screenshotOnFailure, signIn, startHarness, type Harness } from './harness';

/**
 * A quote's documents from its record page (issue 11 items 8–10, 12): the PDF preview, e-mailing
 * it through the preview dialog (a real SMTP server receives it), and a customer link made,
 * copied and revoked.
 */
describe('quote documents', () => {
  let h: Harness;
  let smtp: SMTPServer;
  const inbox: string[] = [];
  let quoteId: string;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => { inbox.push(Buffer.concat(chunks).toString('utf8')); callback(); });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    h = await startHarness({ smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` });
    const unit = (await h.api('GET', `/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).data[0].id;
    const product = await h.api('POST', '/product', { code: 'DOC-1', name: 'Load bank test', unit_of_measure: unit });
    const book = await h.api('POST', '/price_book', { name: 'Docs USD', currency: 'USD', is_standard: true });
    await h.api('POST', '/price_book_entry', { price_book: book.id, product: product.id, unit_price: '980.00' });
    const account = await h.api('POST', '/account', { name: 'Harbor Hospital', currency: 'USD' });
    const contact = await h.api('POST', '/contact', { first_name: 'Dana', last_name: 'Buyer', email: 'dana@harbor.example', account: account.id });
    quoteId = (await h.api('POST', '/quotes', { quote: { account: account.id, contact: contact.id, title: 'Annual load bank test' }, lines: [{ product: product.id, quantity: 2 }] })).quote.id;
    await signIn(h.page);
  });
  afterAll(async () => {
    await h?.close();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });
  screenshotOnFailure(() => h);

  test('previews the PDF, e-mails the quote with a preview, and manages customer links', async () => {
    const { page } = h;
    await page.goto(`/o/quote/${quoteId}`);
    await page.getByRole('button', { name: 'PDF' }).click();
    const pdf = page.getByRole('dialog', { name: /\(PDF\)$/ });
    await pdf.locator('iframe').waitFor();
    const res = await page.request.get(`/api/v1/quotes/${quoteId}/pdf`);
    expect([res.status(), res.headers()['content-type']]).toEqual([200, 'application/pdf']);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'E-mail…' }).click();
    const dialog = page.getByRole('dialog', { name: /^E-mail / });
    await dialog.getByLabel('Subject').waitFor();
    await expect.poll(() => dialog.getByLabel('Subject').inputValue()).toContain('Annual load bank test');
    await dialog.getByText('dana@harbor.example').waitFor();
    const message = dialog.getByRole('textbox', { name: 'Message' });
    expect(await message.inputValue()).toContain('{{ link }}');
    await message.fill('Hello Dana,\n\nhere is the quote: {{ link }}\n\nThanks, Ada');
    await expectAccessible(page, 'send quote dialog');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Quote sent').waitFor();
    await expect.poll(() => inbox.length).toBe(1);
    expect(inbox[0]).toMatch(/here is the quote: http:\/\/127\.0\.0\.1[^\s]*\/q\/[A-Za-z0-9_-]{32}/);
    expect(inbox[0]).toContain('application/pdf');
    await expect.poll(async () => (await h.api('GET', `/quote/${quoteId}`)).status).toBe('sent');

    await page.getByRole('button', { name: 'Customer link' }).click();
    const links = page.getByRole('dialog', { name: /^Links to / });
    // The e-mail made one link already; a new one is shown once, to copy.
    await expect.poll(() => links.getByRole('table', { name: 'Links' }).locator('tbody tr').count()).toBe(1);
    await links.getByRole('button', { name: 'New link' }).click();
    await links.getByText(/\/q\/[A-Za-z0-9_-]{32}$/).waitFor();
    await expect.poll(() => links.getByRole('table', { name: 'Links' }).locator('tbody tr').count()).toBe(2);
    await expectAccessible(page, 'quote links');
    await links.getByRole('button', { name: 'Revoke' }).first().click();
    await expect.poll(async () => (await h.api('GET', `/quotes/${quoteId}/links`)).data.filter((l: { active: boolean }) => !l.active).length).toBe(1);
  });
});
