/**
 * The neutral shape every intake format maps to (cXML, UBL, a shop's own JSON or XML through a
 * mapping). Values are text exactly as the shop sent them (trimmed): quantities and prices stay
 * decimal strings, so nothing is rounded before the order pipeline reads them with the money kernel.
 */
export interface IntakeAddress {
  name?: string;
  /** Street lines, joined with a newline when the document has several. */
  street?: string;
  city?: string;
  postalCode?: string;
  /** State, province or county. */
  region?: string;
  /** Country code or name as given (cXML and UBL give ISO 3166 alpha-2). */
  country?: string;
}

export interface IntakeLine {
  /** The shop's own line number, when the document has one. */
  lineNumber?: string;
  /** Our product code (the supplier's part id in cXML, the seller's item id in UBL). */
  sku: string;
  description?: string;
  /** Decimal text as given: "12", "2.5". */
  quantity: string;
  unitPrice?: string;
  /** Unit of measure code as given (cXML UnitOfMeasure, UBL unitCode: "EA", "C62"). */
  uom?: string;
  /** YYYY-MM-DD. */
  requestedDate?: string;
}

export interface IntakeOrder {
  /** The shop's own order id; with the source it identifies the order (a resend is the same order). */
  externalId: string;
  poNumber?: string;
  /** YYYY-MM-DD. */
  orderDate?: string;
  /** YYYY-MM-DD: the delivery date asked for the whole order. */
  requestedDate?: string;
  /** ISO 4217. */
  currency?: string;
  customer: { accountNumber?: string; name?: string; email?: string };
  contactEmail?: string;
  contactName?: string;
  shipTo?: IntakeAddress;
  notes?: string;
  lines: IntakeLine[];
}

/**
 * One thing wrong with a body. `field` is a path into IntakeOrder (`externalId`, `lines[2].quantity`),
 * `body` for the document as a whole, or `mapping…` for a mapping definition's own paths.
 */
export interface IntakeProblem {
  field: string;
  code: string;
  message: string;
}

/** What every parser returns; parsers never throw for bad input. */
export interface IntakeResult {
  /** Present when the document could be read, even if it has problems (for the failure report). */
  order?: IntakeOrder;
  /** Empty when the order can be accepted. */
  problems: IntakeProblem[];
}

/** Size and nesting limits applied before a body is parsed. */
export interface IntakeLimits {
  /** Largest body in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Deepest element or array/object nesting (default 64). */
  maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

export function problem(field: string, code: string, message: string): IntakeProblem {
  return { field, code, message };
}

/** `too_large` when the body is over the byte limit: checked first, on the length alone, before any decoding. */
export function sizeProblem(body: Buffer | string, limits: IntakeLimits): IntakeProblem | undefined {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return size > maxBytes ? problem('body', 'too_large', `The body is ${size} bytes; at most ${maxBytes} are accepted.`) : undefined;
}
