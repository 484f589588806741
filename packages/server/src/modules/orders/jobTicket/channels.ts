import ipp from 'ipp';
import type { Platform } from '../../../platform/kernel.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { recordEvent } from '../../../platform/records/history.ts';
import { canSendMail, sendMail } from '../../../platform/mail.ts';
import { EMAIL_RE } from '../../../platform/records/values.ts';
import { isBlank } from '../../billing/index.ts';
import type { JobTicket } from './pdf.ts';

/** A sending that did not go through, with a reason fit for the ticket row and the log. */
export class JobTicketError extends Error {
  override name = 'JobTicketError';
}

/** The job ticket by e-mail through the installation's SMTP server (MERIDIAN_SMTP_URL, from MERIDIAN_SMTP_FROM), the PDF attached. */
export async function emailJobTicket(platform: Platform, to: string | null, ticket: JobTicket): Promise<void> {
  if (!to) throw new JobTicketError('No production e-mail address is set for this order source');
  if (!EMAIL_RE.test(to)) throw new JobTicketError(`'${to.slice(0, 80)}' is not an e-mail address`);
  if (!canSendMail(platform)) throw new JobTicketError('E-mail is not set up on this server (MERIDIAN_SMTP_URL)');
  const { order, lines } = ticket;
  const number = String(order.number ?? order.id);
  const text = [
    `Job ticket for order ${number}${isBlank(order.po_number) ? '' : ` (customer PO ${String(order.po_number)})`}.`,
    isBlank(order.requested_date) ? '' : `Requested date: ${String(order.requested_date)}.`,
    '',
    ...lines.map((l, i) => `${String(l.position ?? i + 1)}. ${String(l.name ?? '')} × ${String(l.quantity ?? '')}${isBlank(l.specs) ? '' : ` — ${String(l.specs).replace(/\s+/g, ' ').slice(0, 200)}`}`),
    '',
    'The ticket is attached as a PDF.',
  ].filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
  try {
    await sendMail(platform, {
      to: [to], subject: `Job ticket ${number}`, text,
      attachments: [{ filename: ticket.filename, content: ticket.pdf, contentType: 'application/pdf' }],
    });
  } catch (error) {
    throw new JobTicketError(`The e-mail server did not take the job ticket: ${(error as Error).message}`);
  }
}

/**
 * The printer's address as the ipp package and IPP over HTTP (RFC 8010, 7472) want it: ipp:// is
 * http:// and ipps:// is https://, on port 631 unless the address names another; http(s)://
 * addresses are used as they are. Answers the URL to post to and the `printer-uri` attribute.
 */
export function printerAddress(url: string): { http: URL; printerUri: string } {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new JobTicketError(`'${url.slice(0, 120)}' is not a printer address (ipp://host/printers/name or http://host:631/…)`);
  }
  const secure = parsed.protocol === 'ipps:' || parsed.protocol === 'https:';
  if (!['ipp:', 'ipps:', 'http:', 'https:'].includes(parsed.protocol)) throw new JobTicketError(`A printer address must start with ipp://, ipps://, http:// or https://, not ${parsed.protocol}//`);
  const port = parsed.port || (parsed.protocol === 'ipp:' || parsed.protocol === 'ipps:' ? '631' : '');
  const http = new URL(`${secure ? 'https' : 'http'}://${parsed.hostname.includes(':') ? `[${parsed.hostname}]` : parsed.hostname}${port ? `:${port}` : ''}${parsed.pathname}${parsed.search}`);
  const printerUri = `${secure ? 'ipps' : 'ipp'}://${http.host}${http.pathname}`;
  return { http, printerUri };
}

const PRINT_TIMEOUT_MS = 30_000;

/**
 * The job ticket to a network printer: one IPP Print-Job (RFC 8011) with document-format
 * application/pdf, encoded and decoded with the ipp package, posted over HTTP. Any answer but an
 * IPP `successful-ok…` status (or no answer in 30 s) fails with the printer's reason.
 */
export async function printJobTicket(printerUrl: string | null, ticket: JobTicket): Promise<{ jobId: number | null }> {
  if (!printerUrl) throw new JobTicketError('No printer URL is set for this order source');
  const { http, printerUri } = printerAddress(printerUrl);
  let body: Buffer;
  try {
    body = ipp.serialize({
      version: '1.1',
      operation: 'Print-Job',
      'operation-attributes-tag': {
        'attributes-charset': 'utf-8',
        'attributes-natural-language': 'en-us',
        'printer-uri': printerUri,
        'requesting-user-name': 'Meridian',
        'job-name': ticket.filename,
        'document-format': 'application/pdf',
      },
      data: ticket.pdf,
    });
  } catch (error) {
    throw new JobTicketError(`The print job could not be encoded: ${String((error as Error)?.message ?? error)}`);
  }
  let response: Response;
  try {
    response = await fetch(http, { method: 'POST', headers: { 'content-type': 'application/ipp' }, body: new Uint8Array(body), signal: AbortSignal.timeout(PRINT_TIMEOUT_MS), redirect: 'error' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = (error as Error).name === 'TimeoutError' ? `no answer in ${PRINT_TIMEOUT_MS / 1000} s` : cause?.code ?? cause?.message ?? (error as Error).message;
    throw new JobTicketError(`The printer at ${http.host} could not be reached: ${why}`);
  }
  const answer = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new JobTicketError(`The printer answered HTTP ${response.status} instead of an IPP response`);
  let parsed: ReturnType<typeof ipp.parse>;
  try {
    parsed = ipp.parse(answer);
  } catch {
    throw new JobTicketError('The printer answered something that is not an IPP response');
  }
  const status = String(parsed.statusCode ?? 'unknown');
  if (!status.startsWith('successful-ok')) {
    const message = (parsed as unknown as Record<string, Record<string, unknown> | undefined>)['operation-attributes-tag']?.['status-message'];
    throw new JobTicketError(`The printer refused the job: IPP ${status}${message ? ` (${String(message)})` : ''}`);
  }
  const jobId = (parsed as unknown as Record<string, Record<string, unknown> | undefined>)['job-attributes-tag']?.['job-id'];
  return { jobId: typeof jobId === 'number' ? jobId : null };
}

/**
 * The webhook channel: the `order.job_ticket` domain event in the outbox, in the caller's
 * transaction; webhook subscriptions deliver it signed (Standard Webhooks) like every event. It
 * carries what production needs to start and the URL of the ticket's PDF (the API route, read
 * with the subscriber's API token).
 */
export async function jobTicketEvent(ctx: TxContext, order: ApiRecord, lines: ApiRecord[], reason: 'confirmed' | 'reprint'): Promise<void> {
  await recordEvent({
    ctx, type: 'order.job_ticket', object: ctx.platform.registry.requireObject('order'), recordId: order.id,
    data: {
      number: order.number, reason, account: order.account, po_number: order.po_number ?? null, requested_date: order.requested_date ?? null,
      ship_to: order.ship_to ?? null,
      lines: lines.map((l) => ({
        position: l.position ?? null, product: l.product, name: l.name ?? null, product_spec: l.product_spec ?? null, quantity: l.quantity,
        unit_of_measure: l.unit_of_measure ?? null, requested_date: l.requested_date ?? order.requested_date ?? null, specs: l.specs ?? null, team: l.team ?? null,
      })),
      pdf_url: jobTicketPdfUrl(ctx.platform, order.id),
    },
  });
}

export function jobTicketPdfUrl(platform: Platform, orderId: string): string {
  return `${platform.config.publicUrl}/api/v1/orders/${orderId}/job-ticket.pdf`;
}
