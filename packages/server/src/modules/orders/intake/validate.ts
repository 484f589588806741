import { CURRENCY_CODES, Decimal } from '../../billing/index.ts';
import { problem, type IntakeAddress, type IntakeOrder, type IntakeProblem } from './types.ts';

/**
 * Checks of an IntakeOrder that need no database (whether the account and the products exist is
 * the order pipeline's business). Every problem is reported, not just the first, up to
 * MAX_PROBLEMS. Run `normalizeIntakeOrder` first: it trims, upper-cases codes and drops empty text.
 */

export const MAX_EXTERNAL_ID = 200;
export const MAX_TEXT = 2000;
export const MAX_LINES = 5000;
export const MAX_QUANTITY = new Decimal('1e9');
export const MAX_QUANTITY_DECIMALS = 6;
export const MAX_PRICE = new Decimal('1e12');
export const MAX_PROBLEMS = 100;

const DECIMAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;
const currencies = new Set(CURRENCY_CODES);

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1900 && year <= 2999 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function clean(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text === undefined || text === '' ? undefined : text;
}

function cleanAddress(address: IntakeAddress | undefined): IntakeAddress | undefined {
  if (!address) return undefined;
  const result: IntakeAddress = {};
  for (const [key, value] of Object.entries(address) as [keyof IntakeAddress, string | undefined][]) {
    const text = clean(value);
    if (text !== undefined) result[key] = key === 'country' && /^[a-z]{2,3}$/i.test(text) ? text.toUpperCase() : text;
  }
  return Object.keys(result).length ? result : undefined;
}

/** A copy with text trimmed, empty text dropped, currency and country codes upper-cased. */
export function normalizeIntakeOrder(order: IntakeOrder): IntakeOrder {
  const out: IntakeOrder = {
    externalId: order.externalId?.trim() ?? '',
    poNumber: clean(order.poNumber),
    orderDate: clean(order.orderDate),
    requestedDate: clean(order.requestedDate),
    currency: clean(order.currency)?.toUpperCase(),
    customer: { accountNumber: clean(order.customer?.accountNumber), name: clean(order.customer?.name), email: clean(order.customer?.email) },
    contactEmail: clean(order.contactEmail),
    contactName: clean(order.contactName),
    shipTo: cleanAddress(order.shipTo),
    notes: clean(order.notes),
    lines: (order.lines ?? []).map((line) => ({
      lineNumber: clean(line.lineNumber),
      sku: line.sku?.trim() ?? '',
      description: clean(line.description),
      quantity: line.quantity?.trim() ?? '',
      unitPrice: clean(line.unitPrice),
      uom: clean(line.uom),
      requestedDate: clean(line.requestedDate),
    })),
  };
  // Keep the shape tidy: no keys whose value is undefined.
  const prune = (o: object) => {
    for (const [k, v] of Object.entries(o)) if (v === undefined) delete (o as Record<string, unknown>)[k];
  };
  prune(out);
  prune(out.customer);
  out.lines.forEach(prune);
  return out;
}

function decimalProblem(field: string, text: string, kind: 'quantity' | 'price'): IntakeProblem | undefined {
  if (!DECIMAL.test(text)) return problem(field, 'not_a_number', `'${text.slice(0, 40)}' is not a decimal number.`);
  const value = new Decimal(text);
  if (kind === 'quantity') {
    if (value.lte(0)) return problem(field, 'not_positive', `The quantity must be more than 0; it is ${text}.`);
    if (value.gt(MAX_QUANTITY)) return problem(field, 'too_large', `The quantity ${text} is more than ${MAX_QUANTITY.toFixed()}.`);
    if (value.decimalPlaces() > MAX_QUANTITY_DECIMALS) return problem(field, 'too_precise', `The quantity ${text} has more than ${MAX_QUANTITY_DECIMALS} decimals.`);
  } else {
    if (value.isNegative() && !value.isZero()) return problem(field, 'negative', `The price must not be negative; it is ${text}.`);
    if (value.gt(MAX_PRICE)) return problem(field, 'too_large', `The price ${text} is more than ${MAX_PRICE.toFixed()}.`);
    if (value.decimalPlaces() > MAX_QUANTITY_DECIMALS) return problem(field, 'too_precise', `The price ${text} has more than ${MAX_QUANTITY_DECIMALS} decimals.`);
  }
  return undefined;
}

/** Every database-independent problem of an order (empty when it can go on to the order pipeline). */
export function validateIntakeOrder(order: IntakeOrder): IntakeProblem[] {
  const problems: IntakeProblem[] = [];
  const add = (p: IntakeProblem | undefined) => {
    if (p) problems.push(p);
  };
  const text = (field: string, value: string | undefined, max = MAX_TEXT) => {
    if (value !== undefined && value.length > max) add(problem(field, 'too_long', `${field} is longer than ${max} characters.`));
  };
  const date = (field: string, value: string | undefined) => {
    if (value !== undefined && !isRealDate(value)) add(problem(field, 'invalid_date', `'${value.slice(0, 40)}' is not a date (YYYY-MM-DD).`));
  };
  const email = (field: string, value: string | undefined) => {
    if (value !== undefined && !EMAIL.test(value)) add(problem(field, 'invalid_email', `'${value.slice(0, 80)}' is not an e-mail address.`));
  };

  if (!order.externalId) add(problem('externalId', 'required', 'The order id is required.'));
  else text('externalId', order.externalId, MAX_EXTERNAL_ID);
  text('poNumber', order.poNumber, MAX_EXTERNAL_ID);
  date('orderDate', order.orderDate);
  date('requestedDate', order.requestedDate);
  if (order.currency !== undefined && !currencies.has(order.currency)) {
    add(problem('currency', 'unknown_currency', `'${order.currency.slice(0, 10)}' is not an ISO 4217 currency code.`));
  }
  text('customer.accountNumber', order.customer.accountNumber, MAX_EXTERNAL_ID);
  text('customer.name', order.customer.name, 255);
  email('customer.email', order.customer.email);
  email('contactEmail', order.contactEmail);
  text('contactName', order.contactName, 255);
  for (const [key, value] of Object.entries(order.shipTo ?? {})) text(`shipTo.${key}`, value, 500);
  text('notes', order.notes, 10_000);

  if (order.lines.length === 0) add(problem('lines', 'required', 'The order has no lines.'));
  if (order.lines.length > MAX_LINES) add(problem('lines', 'too_many', `The order has ${order.lines.length} lines; at most ${MAX_LINES} are accepted.`));
  for (const [i, line] of order.lines.slice(0, MAX_LINES).entries()) {
    const at = `lines[${i}]`;
    if (!line.sku) add(problem(`${at}.sku`, 'required', `Line ${i + 1} has no product code (sku).`));
    else text(`${at}.sku`, line.sku, MAX_EXTERNAL_ID);
    if (!line.quantity) add(problem(`${at}.quantity`, 'required', `Line ${i + 1} has no quantity.`));
    else add(decimalProblem(`${at}.quantity`, line.quantity, 'quantity'));
    if (line.unitPrice !== undefined) add(decimalProblem(`${at}.unitPrice`, line.unitPrice, 'price'));
    date(`${at}.requestedDate`, line.requestedDate);
    text(`${at}.description`, line.description);
    text(`${at}.lineNumber`, line.lineNumber, 50);
    text(`${at}.uom`, line.uom, 20);
    if (problems.length > MAX_PROBLEMS) break;
  }
  if (problems.length > MAX_PROBLEMS) {
    problems.length = MAX_PROBLEMS;
    problems.push(problem('body', 'too_many_problems', `More than ${MAX_PROBLEMS} problems; the rest are not listed.`));
  }
  return problems;
}
