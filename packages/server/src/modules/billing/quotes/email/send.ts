import type { TxContext } from '../../../../platform/records/context.ts';
import { asSystem, inTransaction, type RecordContext } from '../../../../platform/records/context.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { AppError, ruleViolation, type FieldError } from '../../../../platform/errors.ts';
import { EMAIL_RE } from '../../../../platform/records/values.ts';
import { createRecord } from '../../../../platform/records/write.ts';
import { listRecords } from '../../../../platform/records/read.ts';
import { canSendMail, sendMail } from '../../../../platform/mail.ts';
import { isBlank, readRecord } from '../../context.ts';
import { minorUnits } from '../../money/index.ts';
import { sendQuote } from '../commands/send.ts';
import { renderQuotePdf } from '../document/render.ts';
import { createQuoteLink, quoteLinkUrl } from '../public/links.ts';
import { documentLocale } from '../document/read.ts';
import { DEFAULT_QUOTE_TEMPLATE, renderEmail, type RenderedEmail } from './template.ts';

export interface QuoteEmailInput {
  /** An e-mail template's id; else the default quote template. */
  template?: string;
  /** Edited subject or body (Liquid) instead of the template's. */
  subject?: string;
  body?: string;
  /** Addresses; else the quote contact's e-mail. */
  to?: string[];
  cc?: string[];
}

export interface QuoteEmailPreview extends RenderedEmail {
  /** The sample link in the preview; the real one is made when the e-mail is sent. */
  link: string;
  to: string[];
  cc: string[];
  attachment: string;
}

async function chooseTemplate(ctx: TxContext, input: QuoteEmailInput): Promise<{ subject: string; body: string }> {
  let template: ApiRecord | undefined;
  if (input.template) {
    template = await readRecord(ctx, 'email_template', input.template).catch(() => refuseField('template', 'not_found', 'No such e-mail template'));
  } else {
    const found = await listRecords({
      ctx, object: ctx.platform.registry.requireObject('email_template'), limit: 1, sort: '-is_default,name',
      filter: { and: [{ field: 'purpose', op: 'eq', value: 'quote' }, { field: 'active', op: 'eq', value: true }] },
    });
    template = found.data[0];
  }
  return {
    subject: input.subject ?? (template ? String(template.subject) : DEFAULT_QUOTE_TEMPLATE.subject),
    body: input.body ?? (template ? String(template.body) : DEFAULT_QUOTE_TEMPLATE.body),
  };
}

function refuseField(field: string, code: string, message: string): never {
  throw ruleViolation([{ field, code, message }]);
}

/** E-mail addresses as given, each checked (422 naming `to[i]`). */
export function checkAddresses(field: string, list: string[]): string[] {
  const errors: FieldError[] = [];
  const clean = list.map((a) => a.trim());
  clean.forEach((a, i) => {
    if (!EMAIL_RE.test(a) || a.length > 254) errors.push({ field: `${field}[${i}]`, code: 'invalid_email', message: `'${a.slice(0, 80)}' is not a valid e-mail address` });
  });
  if (errors.length) throw ruleViolation(errors);
  return clean;
}

/** What the merge fields see: the records as the sender may read them, amounts and dates formatted for the reader. */
async function mergeData(ctx: TxContext, quote: ApiRecord, link: string) {
  const read = (object: string, id: unknown, fields: string[]) => (isBlank(id) ? Promise.resolve(null) : readRecord(ctx, object, String(id), fields).catch(() => null));
  const [account, contact, sender] = await Promise.all([
    read('account', quote.account, ['name', 'document_locale']),
    read('contact', quote.contact, ['first_name', 'last_name', 'full_name', 'email', 'document_locale']),
    ctx.actor.userId ? read('user', ctx.actor.userId, ['first_name', 'last_name', 'full_name', 'email', 'title', 'phone']) : Promise.resolve(null),
  ]);
  // Amounts and dates read as in the customer's PDF.
  const locale = documentLocale(ctx, { account, contact });
  const currency = String(quote.currency);
  const digits = minorUnits(currency);
  const money = (v: unknown) => new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(v ?? 0));
  const day = (v: unknown) => (isBlank(v) ? '' : new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${String(v)}T00:00:00Z`)));
  const pick = (r: ApiRecord | null, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r?.[k] ?? '']));
  return {
    quote: { number: quote.number, name: quote.name, title: quote.title ?? '', currency, total: money(quote.total), subtotal: money(quote.subtotal), tax_total: money(quote.tax_total), valid_until: day(quote.valid_until) },
    account: pick(account, ['name']),
    contact: pick(contact, ['first_name', 'last_name', 'full_name', 'email']),
    sender: pick(sender, ['first_name', 'last_name', 'full_name', 'email', 'title', 'phone']),
    link,
  };
}

function recipients(input: QuoteEmailInput, contactEmail: unknown): { to: string[]; cc: string[] } {
  const to = input.to?.length ? checkAddresses('to', input.to) : isBlank(contactEmail) ? [] : [String(contactEmail)];
  if (!to.length) refuseField('to', 'required', "The quote's contact has no e-mail address: enter one");
  return { to, cc: input.cc?.length ? checkAddresses('cc', input.cc) : [] };
}

/** The e-mail as it would go out now (nothing is saved; the link shown is a sample). */
export async function previewQuoteEmail(args: { ctx: RecordContext; id: string; input: QuoteEmailInput }): Promise<QuoteEmailPreview> {
  return inTransaction(args.ctx, async (ctx) => {
    const quote = await readRecord(ctx, 'quote', args.id);
    const contact = isBlank(quote.contact) ? null : await readRecord(ctx, 'contact', String(quote.contact), ['email']).catch(() => null);
    const { to, cc } = recipients(args.input, contact?.email);
    const link = quoteLinkUrl(ctx.platform, 'your-personal-link');
    const rendered = await renderEmail({ ...(await chooseTemplate(ctx, args.input)), data: await mergeData(ctx, quote, link), link });
    return { ...rendered, link, to, cc, attachment: `${String(quote.name).replace(/[^A-Za-z0-9._-]+/g, '-')}.pdf` };
  });
}

export interface EmailQuoteResult {
  quote: ApiRecord;
  /** True when the discount is over the limit: the quote waits for approval and no e-mail went out. */
  held: boolean;
  emailed: boolean;
  emailLog: string | null;
}

/**
 * Sends a quote to the customer by e-mail (seed 004 "send formatted quotation email"), as steps
 * of one transaction: the quote is sent (or held for approval — then it stops there), a link to
 * the online quote is made for the contact, the template rendered, the PDF attached, the e-mail
 * logged on the timelines, and last the message handed to SMTP. A refused message rolls all of
 * it back, so a quote is never marked sent with no e-mail behind it.
 */
export async function emailQuote(args: { ctx: RecordContext; id: string; input: QuoteEmailInput; expectedVersion?: number }): Promise<EmailQuoteResult> {
  return inTransaction(args.ctx, async (ctx) => {
    let quote = await readRecord(ctx, 'quote', args.id);
    // After the read: a quote the caller cannot see answers 404 whatever the server's set-up.
    if (!canSendMail(ctx.platform)) throw new AppError('unavailable', 'E-mail is not set up on this server (MERIDIAN_SMTP_URL)');
    const contact = isBlank(quote.contact) ? null : await readRecord(ctx, 'contact', String(quote.contact), ['email']).catch(() => null);
    const { to, cc } = recipients(args.input, contact?.email);
    const template = await chooseTemplate(ctx, args.input);
    if (quote.status === 'draft' || quote.status === 'approved') {
      quote = await sendQuote({ ctx, id: quote.id, ...(args.expectedVersion === undefined ? {} : { expectedVersion: args.expectedVersion }) });
      if (quote.status === 'pending_approval') return { quote, held: true, emailed: false, emailLog: null };
    }
    const link = await createQuoteLink({ ctx, id: quote.id });
    const rendered = await renderEmail({ ...template, data: await mergeData(ctx, quote, link.url), link: link.url });
    const { pdf, filename } = await renderQuotePdf({ ctx, id: quote.id });
    const from = ctx.platform.config.smtpFrom;
    const log = await createRecord({
      ctx: asSystem(ctx), object: ctx.platform.registry.requireObject('email_log'),
      input: {
        subject: rendered.subject.slice(0, 255), body: rendered.text, direction: 'outbound', to_addresses: [...to, ...cc].join(', '), sent_at: new Date().toISOString(),
        ...Object.fromEntries(['account', 'contact', 'opportunity'].filter((f) => !isBlank(quote[f])).map((f) => [f, quote[f]])),
      },
    });
    try {
      await sendMail(ctx.platform, { from, to, cc, subject: rendered.subject, text: rendered.text, html: rendered.html, attachments: [{ filename, content: pdf, contentType: 'application/pdf' }] });
    } catch (error) {
      ctx.platform.logger.warn({ err: error, quote: quote.id }, 'quote e-mail refused by SMTP');
      throw new AppError('unavailable', 'The e-mail server did not take the message; nothing was sent or changed. Try again later.');
    }
    return { quote: await readRecord(ctx, 'quote', quote.id), held: false, emailed: true, emailLog: log.id };
  });
}
