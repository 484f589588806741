import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { validationFailed } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { PathId, T, routeSchema } from '../../../platform/http/schema/common.ts';
import { billingSettings } from '../../billing/index.ts';
import { invoicingSettings } from '../settings.ts';
import { csvHeader, csvRecord } from './csv.ts';
import type { CsvFormat } from './layout.ts';
import { quickbooksFormat } from './quickbooks.ts';
import { exportPages, readExportDocument, type ExportDocument, type ExportKind } from './read.ts';
import { buildUbl } from './ubl.ts';
import { xeroFormat } from './xero.ts';

const tags = ['invoices'];
const ExportQuery = T.Object({
  format: T.Union([T.Literal('quickbooks'), T.Literal('xero')], { description: 'quickbooks: QuickBooks Online import layout; xero: Xero sales invoice template' }),
  from: T.String({ format: 'date', description: 'First invoice date (inclusive)' }),
  to: T.String({ format: 'date', description: 'Last invoice date (inclusive)' }),
  kind: T.Optional(T.Union([T.Literal('invoice'), T.Literal('credit_note'), T.Literal('all')], {
    description: 'Which documents; QuickBooks takes invoices and credit notes in separate files (default: invoice), Xero both in one (default: all)',
  })),
}, { additionalProperties: false });
type Query = { format: 'quickbooks' | 'xero'; from: string; to: string; kind?: ExportKind };

const Csv = T.Unsafe({ description: 'The posted invoices and credit notes as CSV, one record per line', content: { 'text/csv': { schema: { type: 'string' } } } });
const Xml = T.Unsafe({ description: 'The invoice (UBL Invoice) or credit note (UBL CreditNote) as UBL 2.1 XML', content: { 'application/xml': { schema: { type: 'string' } } } });

const fileSafe = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || 'invoice';

/**
 * The accounting export (docs/invoicing.md, "Accounting export"): posted invoices and credit
 * notes as QuickBooks Online or Xero import CSV, streamed a page of documents at a time, and one
 * document as UBL 2.1 XML. Both read through the record service with the caller's access.
 */
export function registerExportRoutes(app: FastifyInstance, platform: Platform): void {
  // Resolved now, so a bad MERIDIAN_EXPORT_* value stops the server at start.
  const settings = invoicingSettings.of(platform);
  const formats: Record<Query['format'], CsvFormat> = {
    quickbooks: quickbooksFormat(settings.taxCodes),
    xero: xeroFormat({ salesAccount: settings.salesAccount, taxCodes: settings.taxCodes, dateOrder: settings.xeroDateOrder }),
  };

  app.get('/api/v1/invoices/export', {
    schema: routeSchema({
      tags, operationId: 'exportInvoices',
      summary: 'Posted invoices and credit notes of a date range as a QuickBooks Online or Xero import CSV (what the caller can see)',
      querystring: ExportQuery, response: { 200: Csv },
    }),
  }, async (request, reply) => {
    await platform.registry.ensureFresh();
    const query = request.query as Query;
    const kind: ExportKind = query.kind ?? (query.format === 'quickbooks' ? 'invoice' : 'all');
    if (query.from > query.to) throw validationFailed([{ field: 'to', code: 'before_from', message: 'The last date is before the first' }]);
    const layout = formats[query.format].layout(kind);
    if (!layout) throw validationFailed([{ field: 'kind', code: 'one_kind_per_file', message: 'QuickBooks imports invoices and credit notes separately: export kind=invoice and kind=credit_note' }]);
    const pages = exportPages(recordContext(platform, request), { from: query.from, to: query.to, kind });
    // The first page is read before answering, so a refusal is still a problem document.
    const first = await pages.next();
    async function* body(): AsyncGenerator<string> {
      yield csvHeader(layout!.columns);
      const page = (docs: ExportDocument[]) => docs.map((doc) => layout!.records(doc).map(csvRecord).join('')).join('');
      if (!first.done) yield page(first.value);
      for await (const docs of pages) yield page(docs);
    }
    const filename = `${query.format}-${kind === 'all' ? 'invoices-and-credit-notes' : kind === 'invoice' ? 'invoices' : 'credit-notes'}-${query.from}-${query.to}.csv`;
    return reply.header('content-type', 'text/csv; charset=utf-8').header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="${filename}"`).send(Readable.from(body()));
  });

  app.get('/api/v1/invoices/:id/ubl', {
    schema: routeSchema({
      tags, operationId: 'getInvoiceUbl',
      summary: 'A posted invoice or credit note as UBL 2.1 XML (Peppol BIS Billing 3.0 shape); 409 for a draft',
      params: T.Object({ id: PathId }), response: { 200: Xml },
    }),
  }, async (request, reply) => {
    await platform.registry.ensureFresh();
    const doc = await readExportDocument(recordContext(platform, request), (request.params as { id: string }).id);
    const billing = billingSettings.of(platform);
    const xml = buildUbl(doc, { name: billing.companyName, address: billing.companyAddress, paymentInstructions: invoicingSettings.of(platform).paymentInstructions });
    return reply.header('content-type', 'application/xml; charset=utf-8').header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="${fileSafe(String(doc.invoice.number ?? 'invoice'))}.xml"`).send(xml);
  });
}
