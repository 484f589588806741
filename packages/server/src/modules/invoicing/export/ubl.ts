import { XMLBuilder } from 'fast-xml-parser';
import { allocate, Decimal, formatMoney, isBlank } from '../../billing/index.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { lineTaxes, type LineTax } from './rows.ts';
import { text, type ExportDocument } from './read.ts';

/** The organisation as the seller (billing's MERIDIAN_COMPANY_* settings) and how it is paid. */
export interface Seller {
  name: string;
  /** Lines separated by | (MERIDIAN_COMPANY_ADDRESS). */
  address: string;
  /** MERIDIAN_PAYMENT_INSTRUCTIONS, lines separated by |. */
  paymentInstructions: string;
}

export const PEPPOL_CUSTOMIZATION = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
export const PEPPOL_PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';
const NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

/** Meridian's unit codes → UN/ECE Recommendation 20 (what UBL's unitCode takes); others are C62, "one". */
const UNIT_CODES: Record<string, string> = {
  each: 'C62', h: 'HUR', day: 'DAY', week: 'WEE', month: 'MON', visit: 'C62', m: 'MTR', m2: 'MTK', sqft: 'FTK', km: 'KMT', kg: 'KGM', lb: 'LBR', l: 'LTR', kwh: 'KWH',
};

/** XML 1.0 cannot carry most control characters, even escaped: they are dropped from user text. */
// eslint-disable-next-line no-control-regex
const clean = (value: string) => value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
const str = (value: unknown): string | undefined => {
  const t = text(value);
  return t === null ? undefined : clean(t);
};
const dec = (v: unknown) => new Decimal(isBlank(v) ? '0' : String(v));

/** A tax of a group of lines: its taxable amount (the lines' net) and its amount. */
interface TaxGroup {
  tax: LineTax | null;
  taxable: Decimal;
  amount: Decimal;
}

/**
 * A line's stored tax total spread over its taxes in proportion to what each computes (a compound
 * tax on the amount plus the taxes before it), by billing's largest-remainder allocation: the
 * parts add up to the stored total exactly.
 */
function taxParts(line: ApiRecord, taxes: LineTax[], currency: string): Decimal[] {
  if (taxes.length === 0) return [];
  const taxable = dec(line.taxable);
  let simple = new Decimal(0);
  const exact = taxes.map((t) => {
    const base = t.compound ? taxable.plus(simple) : taxable;
    const share = base.times(dec(t.rate)).dividedBy(100);
    if (!t.compound) simple = simple.plus(share);
    return share.abs();
  });
  return allocate({ amount: dec(line.tax_total), weights: exact, currency });
}

const taxKey = (t: LineTax | null) => (t ? `${t.name}\u0000${new Decimal(t.rate).toFixed()}` : '');

/**
 * The invoice or credit note as UBL 2.1 (an Invoice, type code 380, or a CreditNote, 381) in the
 * shape of Peppol BIS Billing 3.0: seller, buyer, payment, taxes per rate, totals and lines.
 * Amounts are the stored figures with the currency's minor digits; the XML is built as a tree by
 * fast-xml-parser's builder, which escapes every value. Pure.
 */
export function buildUbl(doc: ExportDocument, seller: Seller): string {
  const { invoice } = doc;
  const credit = invoice.kind === 'credit_note';
  const currency = String(invoice.currency ?? 'USD');
  const amount = (value: Decimal | unknown) => ({ '@_currencyID': currency, '#text': formatMoney(value instanceof Decimal ? value : dec(value), currency) });
  const inclusive = invoice.tax_inclusive === true;

  // Taxes per rate, over all lines; lines without tax are one "exempt" group.
  const groups = new Map<string, TaxGroup>();
  const addTo = (tax: LineTax | null, taxable: Decimal, tax_: Decimal) => {
    const key = taxKey(tax);
    const g = groups.get(key) ?? { tax, taxable: new Decimal(0), amount: new Decimal(0) };
    g.taxable = g.taxable.plus(taxable);
    g.amount = g.amount.plus(tax_);
    groups.set(key, g);
  };
  const lineTaxList = doc.lines.map((line) => lineTaxes(line));
  doc.lines.forEach((line, i) => {
    const taxes = lineTaxList[i]!;
    if (!taxes.length) return addTo(null, dec(line.taxable), new Decimal(0));
    taxParts(line, taxes, currency).forEach((part, j) => addTo(taxes[j]!, dec(line.taxable), part));
  });

  const category = (tax: LineTax | null) => (tax
    ? { 'cbc:ID': 'S', 'cbc:Name': str(tax.name), 'cbc:Percent': new Decimal(tax.rate).toFixed(), 'cac:TaxScheme': { 'cbc:ID': 'VAT' } }
    : { 'cbc:ID': 'E', 'cbc:Percent': '0', 'cbc:TaxExemptionReason': 'Not subject to tax', 'cac:TaxScheme': { 'cbc:ID': 'VAT' } });

  // The document discount, one allowance per combination of taxes (as its lines were taxed).
  const allowances = new Map<string, { taxes: LineTax[]; amount: Decimal }>();
  if (!inclusive) {
    doc.lines.forEach((line, i) => {
      const share = dec(line.document_discount);
      if (share.isZero()) return;
      const taxes = lineTaxList[i]!;
      const key = taxes.map(taxKey).join('|');
      const a = allowances.get(key) ?? { taxes, amount: new Decimal(0) };
      a.amount = a.amount.plus(share);
      allowances.set(key, a);
    });
  }
  const allowanceTotal = [...allowances.values()].reduce((s, a) => s.plus(a.amount), new Decimal(0));

  const lines = doc.lines.map((line, i) => {
    const product = isBlank(line.product) ? undefined : doc.products.get(String(line.product));
    const unit = isBlank(line.unit_of_measure) ? undefined : doc.units.get(String(line.unit_of_measure));
    const quantity = dec(line.quantity);
    const taxes = lineTaxList[i]!;
    const lineDiscount = dec(line.line_discount);
    // Tax-inclusive prices: the line's net part is its amount, priced per the whole quantity so it is exact.
    const extension = inclusive ? dec(line.taxable) : dec(line.net);
    const price = inclusive
      ? { 'cbc:PriceAmount': amount(extension), 'cbc:BaseQuantity': { '@_unitCode': UNIT_CODES[unit ?? ''] ?? 'C62', '#text': quantity.toFixed() } }
      : { 'cbc:PriceAmount': { '@_currencyID': currency, '#text': dec(line.unit_price).toFixed() } };
    return {
      'cbc:ID': String(i + 1),
      [credit ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity']: { '@_unitCode': UNIT_CODES[unit ?? ''] ?? 'C62', '#text': quantity.toFixed() },
      'cbc:LineExtensionAmount': amount(extension),
      ...(!inclusive && !lineDiscount.isZero()
        ? { 'cac:AllowanceCharge': { 'cbc:ChargeIndicator': 'false', 'cbc:AllowanceChargeReason': 'Discount', 'cbc:Amount': amount(lineDiscount), 'cbc:BaseAmount': amount(line.gross) } }
        : {}),
      'cac:Item': {
        'cbc:Description': str(line.description),
        'cbc:Name': str(product?.name ?? line.name) ?? 'Item',
        ...(product?.code ? { 'cac:SellersItemIdentification': { 'cbc:ID': str(product.code) } } : {}),
        'cac:ClassifiedTaxCategory': taxes.length ? taxes.map((t) => category(t)) : [category(null)],
      },
      'cac:Price': price,
    };
  });
  const lineExtension = doc.lines.reduce((s, line) => s.plus(inclusive ? dec(line.taxable) : dec(line.net)), new Decimal(0));

  const sellerLines = seller.address.split('|').map((l) => l.trim()).filter(Boolean);
  const account = doc.account;
  const field = (f: string) => (account && !isBlank(account[`billing_${f}`]) ? str(account[`billing_${f}`]) : undefined);
  const snapshot = (text(invoice.billing_address) ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const street = (field('street') ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const country = field('country');
  const customerAddress = street.length || field('city')
    ? {
      'cbc:StreetName': street[0], 'cbc:AdditionalStreetName': street.slice(1).join(', ') || undefined,
      'cbc:CityName': field('city'), 'cbc:PostalZone': field('postal_code'), 'cbc:CountrySubentity': field('state'),
      ...(country && /^[A-Za-z]{2}$/.test(country) ? { 'cac:Country': { 'cbc:IdentificationCode': country.toUpperCase() } } : {}),
    }
    : { 'cbc:StreetName': str(snapshot[0]), 'cbc:AdditionalStreetName': str(snapshot.slice(1).join(', ')) };
  const email = str(doc.contact?.email) ?? str(account?.email);
  const buyerName = str(account?.name) ?? 'Customer';
  const reference = str(invoice.po_number) ?? str(account?.account_number);
  const instructions = seller.paymentInstructions.split('|').map((l) => l.trim()).filter(Boolean).join('; ');

  const body: Record<string, unknown> = {
    '@_xmlns': credit ? NS.creditNote : NS.invoice,
    '@_xmlns:cac': NS.cac,
    '@_xmlns:cbc': NS.cbc,
    'cbc:CustomizationID': PEPPOL_CUSTOMIZATION,
    'cbc:ProfileID': PEPPOL_PROFILE,
    'cbc:ID': str(invoice.number),
    'cbc:IssueDate': str(invoice.invoice_date),
    ...(credit ? {} : { 'cbc:DueDate': str(invoice.due_date) }),
    [credit ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode']: credit ? '381' : '380',
    'cbc:Note': str(credit ? invoice.credit_reason : invoice.notes),
    'cbc:DocumentCurrencyCode': currency,
    'cbc:BuyerReference': reference,
    ...(invoice.po_number ? { 'cac:OrderReference': { 'cbc:ID': str(invoice.po_number) } } : {}),
    ...(credit && doc.credited?.number
      ? { 'cac:BillingReference': { 'cac:InvoiceDocumentReference': { 'cbc:ID': str(doc.credited.number), 'cbc:IssueDate': str(doc.credited.date) } } }
      : {}),
    'cac:AccountingSupplierParty': {
      'cac:Party': {
        'cac:PartyName': { 'cbc:Name': clean(seller.name) },
        'cac:PostalAddress': { 'cbc:StreetName': str(sellerLines[0]), 'cbc:AdditionalStreetName': str(sellerLines.slice(1).join(', ')) },
        'cac:PartyLegalEntity': { 'cbc:RegistrationName': clean(seller.name) },
      },
    },
    'cac:AccountingCustomerParty': {
      'cac:Party': {
        'cac:PartyName': { 'cbc:Name': buyerName },
        'cac:PostalAddress': customerAddress,
        'cac:PartyLegalEntity': { 'cbc:RegistrationName': buyerName },
        ...(email ? { 'cac:Contact': { 'cbc:ElectronicMail': email } } : {}),
      },
    },
    ...(credit ? {} : {
      'cac:PaymentMeans': {
        'cbc:PaymentMeansCode': instructions ? '30' : '1',
        ...(instructions ? { 'cbc:InstructionNote': clean(instructions) } : {}),
        'cbc:PaymentID': str(invoice.number),
      },
    }),
    'cac:AllowanceCharge': [...allowances.values()].map((a) => ({
      'cbc:ChargeIndicator': 'false',
      'cbc:AllowanceChargeReason': 'Discount',
      'cbc:Amount': amount(a.amount),
      'cac:TaxCategory': a.taxes.length ? a.taxes.map((t) => category(t)) : [category(null)],
    })),
    'cac:TaxTotal': {
      'cbc:TaxAmount': amount(invoice.tax_total),
      'cac:TaxSubtotal': [...groups.values()].map((g) => ({ 'cbc:TaxableAmount': amount(g.taxable), 'cbc:TaxAmount': amount(g.amount), 'cac:TaxCategory': category(g.tax) })),
    },
    'cac:LegalMonetaryTotal': {
      'cbc:LineExtensionAmount': amount(lineExtension),
      'cbc:TaxExclusiveAmount': amount(invoice.taxable),
      'cbc:TaxInclusiveAmount': amount(invoice.total),
      ...(allowanceTotal.isZero() ? {} : { 'cbc:AllowanceTotalAmount': amount(allowanceTotal) }),
      'cbc:PayableAmount': amount(invoice.total),
    },
    [credit ? 'cac:CreditNoteLine' : 'cac:InvoiceLine']: lines,
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', format: true, suppressEmptyNode: true });
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [credit ? 'CreditNote' : 'Invoice']: prune(body) });
}

/** The tree without absent values (undefined, empty strings, empty lists and elements), so no empty element is written. */
function prune(node: unknown): unknown {
  if (Array.isArray(node)) {
    const items = node.map(prune).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const pruned = prune(v);
      if (pruned !== undefined) out[k] = pruned;
    }
    return Object.keys(out).some((k) => !k.startsWith('@_')) ? out : undefined;
  }
  return node === undefined || node === null || node === '' ? undefined : node;
}
