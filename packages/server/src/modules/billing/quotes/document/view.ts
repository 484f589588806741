/**
 * What a quote PDF shows, as plain text already formatted for the customer's locale: the
 * drawing code (draw.ts) only places strings, so everything a reader could check — amounts,
 * dates, the tax breakdown — is decided here, in one pure function (build.ts) that tests and
 * other documents can call without a database or pdfkit.
 */
export interface QuoteDocumentView {
  locale: string;
  /** Letter in North America, A4 elsewhere. */
  paper: 'A4' | 'LETTER';
  /** Document metadata (PDF info). `created` is the quote's last change, so the same version renders the same bytes. */
  info: { title: string; author: string; subject: string; created: Date };
  labels: QuoteDocumentLabels;
  company: { name: string; addressLines: string[]; logo: Buffer | null };
  customer: { name: string; attention: string | null; addressLines: string[] };
  /** "Quote" heading, the quote's name (number and revision) and its title. */
  heading: { title: string; number: string; subject: string | null };
  /** Label/value pairs beside the customer (date, valid until, currency, prepared by). */
  facts: Array<{ label: string; value: string }>;
  lines: QuoteDocumentLine[];
  totals: Array<{ label: string; value: string; strong?: boolean }>;
  /** Shown under the totals when the prices include tax. */
  totalsNote: string | null;
  terms: string | null;
  /** "Accepted by Dana Buyer on December 5, 2026" once accepted; else the PDF leaves lines to sign on. */
  accepted: string | null;
}

export interface QuoteDocumentLine {
  position: string;
  /** The product's name. */
  name: string;
  /** The line's own description, wrapped under the name. */
  description: string | null;
  /** "Optional — not included" for an offered line the customer has not taken. */
  note: string | null;
  quantity: string;
  unit: string;
  unitPrice: string;
  discount: string;
  amount: string;
}

/** The words on the document (labels.ts); placeholders in braces are filled where they are used. */
export interface QuoteDocumentLabels {
  document: string;
  date: string;
  validUntil: string;
  currency: string;
  preparedBy: string;
  billTo: string;
  columns: { position: string; item: string; quantity: string; unit: string; unitPrice: string; discount: string; amount: string };
  subtotal: string;
  discount: string;
  net: string;
  tax: string;
  taxTotal: string;
  total: string;
  pricesIncludeTax: string;
  optionalTaken: string;
  optionalNotTaken: string;
  terms: string;
  acceptance: string;
  /** "Accepted by {name} on {date}". */
  acceptedBy: string;
  signatureFields: { name: string; signature: string; date: string };
  /** "Page {n} of {m}": the page count is known only once every page is laid out. */
  page: string;
}
