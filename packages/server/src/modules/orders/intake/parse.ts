/**
 * # Order intake: reading a body (issue 12 item 2)
 *
 * `POST /api/v1/order-intake/{source}` takes orders from a customer's shop. This folder is the part
 * that needs no database: pure functions from the raw request to an order or a list of problems.
 * The route does, in this order:
 *
 * 1. `verifySignature` (signature.ts) over the raw body bytes with the source's secret(s). Anything
 *    but `{ ok: true }` → 401 and nothing is stored or parsed. The route's body limit must be at
 *    least `limits.maxBytes` so the size problem below is the one reported.
 * 2. `parseIntakeBody` (this file) with the source's format:
 *    - `cxml`   → xml.ts (a bare cXML DOCTYPE is tolerated and never loaded) → cxml.ts
 *    - `ubl`    → xml.ts → ubl.ts
 *    - `custom` → the source's mapping (mapping.ts): json.ts or xml.ts, then the mapped paths
 *    Every reader refuses first what is cheap to see and dangerous to parse: a body over
 *    `maxBytes` (`too_large`, before decoding), DTDs and entities (`xml_dtd_forbidden`), nesting
 *    over `maxDepth` (`too_deep`); a broken document is one problem on `body` (`xml_malformed`,
 *    `json_malformed`) with the line and column.
 * 3. `normalizeIntakeOrder` + `validateIntakeOrder` (validate.ts): required fields, positive
 *    quantities, real dates, known currency… every problem at once, each naming its field
 *    (`lines[2].quantity`).
 *
 * The result: `{ order, problems }`. No problems → the order pipeline matches the account and the
 * products and stores the order. Problems → 422 with the list (and the failure e-mail to customer
 * service); `order` is still there when the document could be read, so the report can show it.
 * Nothing here throws for bad input.
 */
import type { IntakeMapping } from './mapping.ts';
import { parseCustom } from './mapping.ts';
import { mapCxml, type CxmlOptions } from './cxml.ts';
import { mapUbl } from './ubl.ts';
import { normalizeIntakeOrder, validateIntakeOrder } from './validate.ts';
import { parseXml } from './xml.ts';
import { problem, sizeProblem, type IntakeLimits, type IntakeResult } from './types.ts';

export type IntakeFormat = 'cxml' | 'ubl' | 'custom';

export interface ParseIntakeInput {
  /** The raw body bytes (the same bytes the signature was checked over). */
  body: Buffer;
  /** The request's Content-Type header, if any; checked against the format. */
  contentType?: string;
  format: IntakeFormat;
  /** The source's mapping, for `custom` (checked here too; an invalid one is a `mapping…` problem). */
  mapping?: IntakeMapping | unknown;
  limits?: IntakeLimits;
  cxml?: CxmlOptions;
}

function mediaKind(contentType: string | undefined): 'xml' | 'json' | 'other' | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (!type) return undefined;
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return 'xml';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  return type === 'text/plain' || type === 'application/octet-stream' ? undefined : 'other';
}

/** Reads one intake body into a validated IntakeOrder, or the problems that stop it. */
export function parseIntakeBody({ body, contentType, format, mapping, limits = {}, cxml }: ParseIntakeInput): IntakeResult {
  const tooLarge = sizeProblem(body, limits);
  if (tooLarge) return { problems: [tooLarge] };

  const expected = format === 'custom' ? (mapping as Partial<IntakeMapping> | undefined)?.format : 'xml';
  const sent = mediaKind(contentType);
  if (sent !== undefined && expected !== undefined && sent !== expected) {
    return { problems: [problem('body', 'unsupported_media_type', `This source takes ${expected.toUpperCase()}; the body was sent as ${contentType}.`)] };
  }

  let read: IntakeResult;
  if (format === 'custom') {
    if (mapping === undefined) return { problems: [problem('mapping', 'required', 'This source has no mapping configured.')] };
    read = parseCustom(body, mapping, limits);
  } else if (format === 'cxml' || format === 'ubl') {
    const xml = parseXml(body, { ...limits, doctype: format === 'cxml' ? 'external-id' : 'forbid' });
    if (!xml.value) return { problems: xml.problems };
    read = format === 'cxml' ? mapCxml(xml.value, cxml) : mapUbl(xml.value);
  } else {
    return { problems: [problem('format', 'invalid', `Unknown intake format '${String(format)}'.`)] };
  }
  if (!read.order) return read;

  const order = normalizeIntakeOrder(read.order);
  // A problem the reader already reported for a field (with the mapping path) is not repeated.
  const seen = new Set(read.problems.map((p) => p.field));
  const problems = [...read.problems, ...validateIntakeOrder(order).filter((p) => !seen.has(p.field))];
  return { order, problems };
}
