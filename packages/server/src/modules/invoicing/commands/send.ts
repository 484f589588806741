import { AppError, ruleViolation } from '../../../platform/errors.ts';
import { asSystem, inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { canSendMail, sendMail } from '../../../platform/mail.ts';
import { billingSettings, checkAddresses, documentFormat, documentLocale, isBlank, readRecord, renderEmail } from '../../billing/index.ts';
import { renderInvoicePdf } from '../document/render.ts';
import { ensurePayLink, payLinkUrl } from '../pay/links.ts';
import { now, runInvoiceCommand, setInvoiceValues, type InvoiceCommandArgs } from './common.ts';

export interface SendInvoiceInput {
  /** Addresses; else the account's e-mail ("where invoices and payment reminders go"), else the contact's. */
  to?: string[];
  cc?: string[];
}

export interface SendInvoiceResult {
  invoice: ApiRecord;
  emailed: boolean;
  emailLog: string | null;
}

const TEMPLATE = {
  subject: '{{ invoice.title }} {{ invoice.number }} from {{ company }}',
  body: [
    'Hello {{ contact.first_name | default: account.name }},',
    '',
    'please find attached our {{ invoice.kind }} {{ invoice.number }} of {{ invoice.date }} for {{ invoice.total }}{% if invoice.due_date %}, due {{ invoice.due_date }}{% endif %}.',
    '',
    '{% if link %}You can view it online — online payment arrives with the customer portal; until then, please pay as described on the invoice:',
    '{{ link }}{% endif %}',
    '',
    'Kind regards,',
    '{{ company }}',
  ].join('\n'),
};

/**
 * E-mails a posted invoice or credit note (issue 12 item 7) in one transaction: the recipients
 * (the account's e-mail unless given), the pay link, the PDF attached, the e-mail logged on the
 * account's, contact's and opportunity's timelines, `sent_at` stamped — and last the message
 * handed to SMTP. A refused message rolls all of it back (503 `unavailable`), so an invoice is
 * never marked sent with no e-mail behind it.
 */
export async function sendInvoice(args: InvoiceCommandArgs & { input?: SendInvoiceInput }): Promise<SendInvoiceResult> {
  const input = args.input ?? {};
  return runInvoiceCommand({
    ...args,
    command: 'send',
    async run(ctx, invoice) {
      if (!canSendMail(ctx.platform)) throw new AppError('unavailable', 'E-mail is not set up on this server (MERIDIAN_SMTP_URL)');
      const sys = asSystem(ctx);
      const account = await readRecord(sys, 'account', String(invoice.account), ['name', 'email', 'document_locale']);
      const contact = isBlank(invoice.contact) ? null : await readRecord(sys, 'contact', String(invoice.contact), ['first_name', 'full_name', 'email', 'document_locale']).catch(() => null);
      const fallback = [account.email, contact?.email].find((e) => !isBlank(e));
      const to = input.to?.length ? checkAddresses('to', input.to) : fallback ? [String(fallback)] : [];
      if (!to.length) throw ruleViolation([{ field: 'to', code: 'required', message: "The account has no e-mail address for invoices: enter one on the account or give the recipients" }]);
      const cc = input.cc?.length ? checkAddresses('cc', input.cc) : [];
      const credit = invoice.kind === 'credit_note';
      const link = credit ? '' : payLinkUrl(ctx.platform, await ensurePayLink(ctx, invoice.id));
      const fmt = documentFormat(documentLocale(ctx, { account, contact }), String(invoice.currency));
      const company = billingSettings.of(ctx.platform).companyName;
      const rendered = await renderEmail({
        ...TEMPLATE,
        link,
        data: {
          invoice: {
            title: credit ? 'Credit note' : 'Invoice', kind: credit ? 'credit note' : 'invoice', number: invoice.number, date: fmt.date(invoice.invoice_date),
            total: fmt.money(invoice.total), due_date: credit ? '' : fmt.date(invoice.due_date),
          },
          account: { name: account.name ?? '' },
          contact: { first_name: contact?.first_name ?? '' },
          company,
          link,
        },
      });
      const { pdf, filename } = await renderInvoicePdf({ ctx, id: invoice.id });
      const log = await createRecord({
        ctx: sys, object: ctx.platform.registry.requireObject('email_log'),
        input: {
          subject: rendered.subject.slice(0, 255), body: rendered.text, direction: 'outbound', to_addresses: [...to, ...cc].join(', '), sent_at: now(),
          ...Object.fromEntries(['account', 'contact', 'opportunity'].filter((f) => !isBlank(invoice[f])).map((f) => [f, invoice[f]])),
        },
      });
      // On the invoice's own timeline too (the logged e-mail's account/contact/opportunity put it on theirs).
      await createRecord({ ctx: sys, object: ctx.platform.registry.requireObject('activity_link'), input: { activity_object: 'email_log', activity_id: log.id, record_object: 'invoice', record_id: invoice.id } });
      const updated = await setInvoiceValues(ctx, invoice.id, { sent_at: now(), send_error: null });
      try {
        await sendMail(ctx.platform, { from: ctx.platform.config.smtpFrom, to, cc, subject: rendered.subject, text: rendered.text, html: rendered.html, attachments: [{ filename, content: pdf, contentType: 'application/pdf' }] });
      } catch (error) {
        ctx.platform.logger.warn({ err: error, invoice: invoice.id }, 'invoice e-mail refused by SMTP');
        throw new AppError('unavailable', 'The e-mail server did not take the message; nothing was sent or changed. Try again later.');
      }
      return { invoice: updated, emailed: true, emailLog: log.id };
    },
  });
}

/** Records why an e-mail did not go out, on the invoice (shown on its page), in a transaction of its own. */
export async function recordSendError(ctx: RecordContext, id: string, error: unknown): Promise<void> {
  const message = error instanceof AppError ? [error.message, ...error.errors.map((e) => e.message)].join(': ') : 'The e-mail could not be sent';
  await inTransaction(asSystem({ platform: ctx.platform, actor: ctx.actor }), (tx) => setInvoiceValues(tx, id, { send_error: `${new Date().toISOString()} ${message}`.slice(0, 2000) }));
}
