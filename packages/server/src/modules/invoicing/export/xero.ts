import { Decimal, isBlank } from '../../billing/index.ts';
import { formatDate, num, text, type Cell } from './csv.ts';
import type { CsvFormat, CsvLayout } from './layout.ts';
import { currencyOf, csvRows, money, plain } from './rows.ts';
import type { DateOrder } from './settings.ts';
import type { ExportDocument } from './read.ts';

/**
 * Xero's sales invoice import template (Business → Invoices → Import): one record per line, the
 * invoice's columns repeated on each, column names exactly as the template has them (* marks
 * what Xero requires). Xero imports a credit note through the same template when the document's
 * amounts are negative, so a credit note's quantities, tax and total are exported negative and
 * invoices and credit notes can share one file.
 */
export const XERO_COLUMNS = [
  '*ContactName', 'EmailAddress', 'POAddressLine1', 'POAddressLine2', 'POAddressLine3', 'POAddressLine4', 'POCity', 'PORegion', 'POPostalCode', 'POCountry',
  '*InvoiceNumber', 'Reference', '*InvoiceDate', '*DueDate', 'Total', 'InventoryItemCode', '*Description', '*Quantity', '*UnitAmount', 'Discount',
  '*AccountCode', '*TaxType', 'TaxAmount', 'TrackingName1', 'TrackingOption1', 'TrackingName2', 'TrackingOption2', 'Currency', 'BrandingTheme',
] as const;

/** The contact's postal address: the account's billing street (up to four lines), city, region, postal code, country. */
function address(doc: ExportDocument): Cell[] {
  const a = doc.account;
  const field = (f: string) => (a && !isBlank(a[`billing_${f}`]) ? String(a[`billing_${f}`]).trim() : null);
  const street = (field('street') ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const lines = street.length > 4 ? [...street.slice(0, 3), street.slice(3).join(', ')] : street;
  return [0, 1, 2, 3].map((i) => text(lines[i] ?? null)).concat([text(field('city')), text(field('state')), text(field('postal_code')), text(field('country'))]);
}

export function xeroFormat(settings: { salesAccount: string; taxCodes: Map<string, string>; dateOrder: DateOrder }): CsvFormat {
  const layout: CsvLayout = {
    columns: XERO_COLUMNS,
    records(doc) {
      const { invoice } = doc;
      const currency = currencyOf(doc);
      const credit = invoice.kind === 'credit_note';
      const sign = (d: Decimal) => (credit ? d.negated() : d);
      const date = (iso: unknown) => text(formatDate(iso, settings.dateOrder));
      const reference = credit ? (doc.credited?.number ?? invoice.po_number) : invoice.po_number;
      const head: Cell[] = [
        text(doc.account?.name), text(doc.contact?.email ?? doc.account?.email), ...address(doc),
        text(invoice.number), text(reference), date(invoice.invoice_date), date(invoice.due_date ?? invoice.invoice_date),
        num(money(sign(new Decimal(String(invoice.total ?? 0))), currency)), text(null),
      ];
      return csvRows(doc, { percentColumn: true, taxCodes: settings.taxCodes }).map((row) => {
        const description = row.adjustment ? row.description : [row.itemCode ? `${row.itemCode} ${row.item ?? ''}`.trim() : row.item, row.description !== row.item ? row.description : null].filter(Boolean).join(' — ');
        // An adjustment is one unit at its amount; a credit note's rows count negative units.
        const quantity = row.quantity ?? new Decimal(1);
        const unit = row.unitPrice ?? row.amount;
        return [
          ...head,
          text(description || '—'), num(plain(sign(quantity))), num(plain(unit)), num(row.discountPercent),
          text(settings.salesAccount), text(row.taxCode), num(money(sign(row.tax), currency)),
          text(null), text(null), text(null), text(null), text(currency), text(null),
        ];
      });
    },
  };
  return { name: 'xero', layout: () => layout };
}
