/**
 * What a job ticket prints, every value already a string (pdf.ts builds it, draw.ts draws it).
 * No prices: production needs what to make, how much, for whom and by when.
 */
export interface JobTicketView {
  number: string;
  /** Organisation name, for the footer. */
  company: string;
  locale: string;
  /** The PDF's creation date: the order's last change, so an unchanged order prints the same bytes. */
  created: Date;
  facts: Array<{ label: string; value: string }>;
  shipTo: string;
  notes: string;
  lines: JobTicketLine[];
}

export interface JobTicketLine {
  position: string;
  /** "PRT-FILTER — Oil filter" */
  product: string;
  spec: string;
  description: string;
  quantity: string;
  unit: string;
  due: string;
  team: string;
  /** The line's production requirements (`specs`). */
  requirements: string;
}
