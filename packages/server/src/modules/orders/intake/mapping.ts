import { parseJson } from './json.ts';
import { datePart, firstText, parsePath, select, type TreeValue } from './tree.ts';
import { problem, type IntakeLimits, type IntakeLine, type IntakeOrder, type IntakeProblem, type IntakeResult } from './types.ts';
import { parseXml } from './xml.ts';

/**
 * A shop's own format, read through a mapping an admin configures: where in the body each order
 * field is. Paths (tree.ts) are dotted, with `[n]` indexes and a last `@attr` segment for XML
 * attributes; XML paths start at the root element and ignore namespace prefixes. Line paths are
 * relative to each line. A single element where the lines are expected counts as one line.
 *
 *   { format: 'json',
 *     fields: { externalId: 'order.id', currency: 'order.currency', 'customer.accountNumber': 'order.customer.number' },
 *     lines: { path: 'order.items', fields: { sku: 'sku', quantity: 'qty', unitPrice: 'price', description: 'title' } } }
 */

export const ORDER_FIELDS = [
  'externalId', 'poNumber', 'orderDate', 'requestedDate', 'currency',
  'customer.accountNumber', 'customer.name', 'customer.email', 'contactEmail', 'contactName',
  'shipTo.name', 'shipTo.street', 'shipTo.city', 'shipTo.postalCode', 'shipTo.region', 'shipTo.country', 'notes',
] as const;
export const LINE_FIELDS = ['lineNumber', 'sku', 'description', 'quantity', 'unitPrice', 'uom', 'requestedDate'] as const;

export type MappedOrderField = (typeof ORDER_FIELDS)[number];
export type MappedLineField = (typeof LINE_FIELDS)[number];

export interface IntakeMapping {
  format: 'json' | 'xml';
  fields: Partial<Record<MappedOrderField, string>> & { externalId: string };
  lines: { path: string; fields: Partial<Record<MappedLineField, string>> & { sku: string; quantity: string } };
}

const REQUIRED_ORDER: readonly string[] = ['externalId'];
const REQUIRED_LINE: readonly string[] = ['sku', 'quantity'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a mapping definition (the admin editor shows these): problems name the definition's own
 * paths — `format`, `fields.externalId`, `lines.path`, `lines.fields.quantity`.
 */
export function checkMapping(def: unknown): IntakeProblem[] {
  if (!isRecord(def)) return [problem('mapping', 'invalid', 'The mapping must be an object with format, fields and lines.')];
  const problems: IntakeProblem[] = [];
  const format = def.format;
  if (format !== 'json' && format !== 'xml') problems.push(problem('format', 'invalid', "The format must be 'json' or 'xml'."));
  const checkPaths = (where: string, value: unknown, known: readonly string[], required: readonly string[]) => {
    if (!isRecord(value)) {
      problems.push(problem(where, 'invalid', `${where} must be an object of field → path.`));
      return;
    }
    for (const [field, path] of Object.entries(value)) {
      const at = `${where}.${field}`;
      if (!known.includes(field)) problems.push(problem(at, 'unknown_field', `'${field}' is not a field that can be mapped (one of: ${known.join(', ')}).`));
      else problems.push(...checkPath(at, path, format));
    }
    for (const field of required) {
      if (!Object.hasOwn(value, field)) problems.push(problem(`${where}.${field}`, 'required', `A path for ${field} is required.`));
    }
  };
  checkPaths('fields', def.fields, ORDER_FIELDS, REQUIRED_ORDER);
  if (!isRecord(def.lines)) problems.push(problem('lines', 'invalid', 'lines must be an object with path and fields.'));
  else {
    if (def.lines.path === undefined) problems.push(problem('lines.path', 'required', 'The path of the order lines is required.'));
    else problems.push(...checkPath('lines.path', def.lines.path, format, false));
    checkPaths('lines.fields', def.lines.fields, LINE_FIELDS, REQUIRED_LINE);
  }
  for (const key of Object.keys(def)) {
    if (!['format', 'fields', 'lines'].includes(key)) problems.push(problem(key, 'unknown_field', `'${key}' is not part of a mapping (format, fields, lines).`));
  }
  return problems;
}

function checkPath(at: string, path: unknown, format: unknown, attributeAllowed = true): IntakeProblem[] {
  if (typeof path !== 'string') return [problem(at, 'invalid', 'The path must be text.')];
  const segments = parsePath(path);
  if (typeof segments === 'string') return [problem(at, 'invalid_path', `The path '${path}' ${segments}.`)];
  const last = segments[segments.length - 1];
  if (last.key.startsWith('@')) {
    if (format === 'json') return [problem(at, 'invalid_path', `The path '${path}' names an @attribute, which only XML has.`)];
    if (!attributeAllowed) return [problem(at, 'invalid_path', `The path '${path}' must name elements, not an attribute.`)];
  }
  return [];
}

/** XML names lose their namespace prefix when parsed, so paths do too (`ns:Order.ns:Id` → `Order.Id`). */
function forFormat(path: string, format: 'json' | 'xml'): string {
  return format === 'xml' ? path.replace(/(^|\.)(@?)[^.[\]:@]+:/g, '$1$2') : path;
}

function setField(order: IntakeOrder, field: MappedOrderField, value: string): void {
  const [group, name] = field.split('.') as [string, string | undefined];
  if (name === undefined) (order as unknown as Record<string, unknown>)[group] = value;
  else {
    const target = (order as unknown as Record<string, Record<string, string> | undefined>);
    target[group] = { ...(target[group] ?? {}), [name]: value };
  }
}

/** Applies a (checked) mapping to a parsed tree. */
export function applyMapping(root: TreeValue, mapping: IntakeMapping): IntakeResult {
  const path = (p: string) => forFormat(p, mapping.format);
  const order: IntakeOrder = { externalId: '', customer: {}, lines: [] };
  for (const field of ORDER_FIELDS) {
    const p = mapping.fields[field];
    if (p === undefined) continue;
    const text = firstText(root, path(p));
    if (text === undefined) continue;
    setField(order, field, field === 'orderDate' || field === 'requestedDate' ? (datePart(text) ?? text) : text);
  }
  const problems: IntakeProblem[] = [];
  if (order.externalId === '') problems.push(problem('externalId', 'required', `The order id is missing: nothing at '${mapping.fields.externalId}'.`));
  const items = select(root, path(mapping.lines.path));
  if (items.length === 0) problems.push(problem('lines', 'required', `The order has no lines: nothing at '${mapping.lines.path}'.`));
  order.lines = items.map((item, i) => {
    const line: IntakeLine = { sku: '', quantity: '' };
    for (const field of LINE_FIELDS) {
      const p = mapping.lines.fields[field];
      if (p === undefined) continue;
      const text = firstText(item, path(p));
      if (text !== undefined) line[field] = field === 'requestedDate' ? (datePart(text) ?? text) : text;
      else if (field === 'sku' || field === 'quantity') {
        problems.push(problem(`lines[${i}].${field}`, 'required', `Line ${i + 1} has no ${field}: nothing at '${p}'.`));
      }
    }
    return line;
  });
  return { order, problems };
}

/** Parses a body in a shop's own format: JSON or XML per the mapping, with the limits, then the mapping. */
export function parseCustom(body: Buffer | string, mapping: unknown, limits: IntakeLimits = {}): IntakeResult {
  const mappingProblems = checkMapping(mapping);
  if (mappingProblems.length) {
    return { problems: mappingProblems.map((p) => ({ ...p, field: p.field === 'mapping' ? 'mapping' : `mapping.${p.field}`, message: `The source's mapping is invalid: ${p.message}` })) };
  }
  const def = mapping as IntakeMapping;
  const parsed = def.format === 'json' ? parseJson(body, limits) : parseXml(body, limits);
  if (parsed.value === undefined) return { problems: parsed.problems };
  return applyMapping(parsed.value, def);
}
