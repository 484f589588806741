import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { AppError, type FieldError } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { inSavepoint, type TxContext } from '../../../platform/records/context.ts';
import { createRecord, updateRecord } from '../../../platform/records/write.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { isBlank, tableOf } from '../../billing/index.ts';
import { parseIntakeBody, verifySignature, type IntakeOrder, type IntakeProblem } from '../intake/index.ts';
import { activeSecretsOf, openIntakeSecrets } from './intakeSecret.ts';
import { eligibilityProblems, matchAccount, productsBySku, type AccountMatch } from './matchIntake.ts';
import { confirmOrder } from './changeStatus.ts';
import { writeOrderRecords } from './createOrder.ts';
import { parseHoldReasons, type HoldReason } from './holds.ts';
import { notifyIntakeStaff } from './intakeMail.ts';

export interface IntakeAnswer {
  status: 202 | 422;
  body: { intake: string; result: 'accepted' | 'held' | 'rejected'; order: string | null; orderNumber: string | null; orderStatus: string | null; replayed: boolean; reasons: Array<{ field: string; code: string; message: string }> };
}

const unauthorized = (reason: string) => new AppError('unauthenticated', 'The request is not signed with this source’s secret', { errors: [{ field: 'x-meridian-signature', code: `signature_${reason}`, message: `Signature ${reason}` }] });

/** One request to the intake endpoint, as received: the raw bytes and the two headers that matter. */
export interface IntakeRequest {
  body: Buffer;
  contentType?: string;
  signature?: string | string[];
}

export interface IntakeSource {
  id: string;
  name: string;
  format: 'cxml' | 'ubl' | 'custom';
  mapping: string | null;
  staff_email: string | null;
  max_body_kb: string | null;
  /** The source's signing secrets in force (the new one and, for a day, the one it replaced). */
  secrets: string[];
}

/** The active source with this key and its secrets; undefined for an unknown or inactive one. */
export async function readIntakeSource(ctx: TxContext, key: string): Promise<IntakeSource | undefined> {
  const row = (await sql<Omit<IntakeSource, 'secrets'> & { secrets: string[] }>`SELECT t.id, t.name, t.format, t.mapping, t.staff_email, t.max_body_kb::text AS max_body_kb, ${activeSecretsOf(sql`t.id`)} AS secrets
    FROM ${tableOf(ctx, 'order_intake_source')} AS t WHERE t.key = ${key} AND t.deleted_at IS NULL AND t.active IS NOT FALSE`.execute(ctx.trx)).rows[0];
  return row && { ...row, secrets: openIntakeSecrets(ctx, row.id, row.secrets) };
}

/** A request's signature checked (401, nothing read further) and its body parsed with the source's format and limits. */
export function readIntakeRequest(source: IntakeSource | undefined, request: IntakeRequest): { sha256: string; parsed: ReturnType<typeof parseIntakeBody> } {
  // An unknown source answers as a bad signature does: the key alone tells a caller nothing.
  if (!source) throw unauthorized('mismatch');
  const check = source.secrets.length ? verifySignature({ secret: source.secrets, header: request.signature, body: request.body }) : { ok: false as const, reason: 'mismatch' as const };
  if (!check.ok) throw unauthorized(check.reason);
  let mapping: unknown;
  try {
    mapping = source.mapping ? JSON.parse(source.mapping) : undefined;
  } catch {
    mapping = {};
  }
  const parsed = parseIntakeBody({
    body: request.body, format: source.format, mapping, limits: { maxBytes: Number(source.max_body_kb ?? 1024) * 1024 },
    ...(request.contentType ? { contentType: request.contentType } : {}),
  });
  return { sha256: createHash('sha256').update(request.body).digest('hex'), parsed };
}

/** The log row's values of an intake before its result is known (logged first: the order points at it). */
export function intakeValues(source: IntakeSource, request: IntakeRequest, read: ReturnType<typeof readIntakeRequest>): Record<string, unknown> {
  const externalId = read.parsed.order?.externalId;
  return {
    source: source.id, external_id: externalId ?? null, result: 'rejected', content_type: request.contentType?.slice(0, 200) ?? null, body_sha256: read.sha256,
    payload: request.body.toString('utf8'), name: `${source.name} · ${externalId ?? read.sha256.slice(0, 12)}`,
  };
}

const stamped = new WeakMap<Platform, Map<string, number>>();

/**
 * Stamps the source as heard from, after commit and in its own statement (see receiveOneOrder),
 * at most once a second per source and process: the stamp says when a shop last sent, and a busy
 * shop's every transaction would otherwise end with one more statement.
 */
export function stampReceived(ctx: TxContext, sourceId: string): void {
  let bySource = stamped.get(ctx.platform);
  if (!bySource) stamped.set(ctx.platform, (bySource = new Map()));
  const now = Date.now();
  if (now - (bySource.get(sourceId) ?? 0) < 1000) return;
  bySource.set(sourceId, now);
  ctx.uow.afterCommit(async () => {
    await sql`UPDATE ${tableOf(ctx, 'order_intake_source')} SET last_received_at = greatest(last_received_at, now()) WHERE id = ${sourceId}`.execute(ctx.platform.db);
  });
}

/**
 * Receives one order from a shop (issue 12 item 2, seed 001), in the caller's transaction: the
 * signature is checked over the raw bytes before anything is read (401, nothing stored); the body
 * is parsed with the source's format under its size and depth limits; a shop order id seen
 * before answers its first result (the same bytes) or is refused (other bytes, 409). A readable,
 * valid order is matched to an account and its products and stored: confirmed at once, or held
 * with its reasons; a body that cannot become an order is logged as rejected and answered 422
 * with every reason. Every payload is kept (order_intake) as sent, and customer service is
 * e-mailed about held and rejected ones after commit. The requests a shop sends together are
 * taken in by receiveOrders (receiveOrders.ts), which stores the usual ones together and
 * hands each other one to this.
 */
export async function receiveOneOrder(ctx: TxContext, source: IntakeSource | undefined, request: IntakeRequest): Promise<IntakeAnswer> {
  const read = readIntakeRequest(source, request);
  const { parsed, sha256 } = read;
  const externalId = parsed.order?.externalId;
  if (externalId && !isBlank(externalId)) {
    const seen = (await storedIntakes(ctx, source!.id, [externalId])).get(externalId);
    if (seen) {
      if (seen.body_sha256 !== sha256) throw duplicateOrderId(externalId);
      return answer(ctx, seen.id, true);
    }
  }
  const payload = request.body.toString('utf8');
  const rejected = parsed.problems.length > 0 || !parsed.order;
  // A rejected payload is logged with its reasons in one insert; one that makes an order is
  // logged first (the order points at it) and given its result and order once they exist.
  const intake = await createRecord({
    ctx, object: ctx.platform.registry.requireObject('order_intake'), input: {},
    options: { systemValues: { ...intakeValues(source!, request, read), ...(rejected ? { reasons: JSON.stringify(parsed.problems) } : {}) } },
  });
  // Stamped after commit, in its own statement: an update here would hold the source's row
  // until this intake commits and make a shop's concurrent orders wait for each other.
  stampReceived(ctx, source!.id);
  const notify = (result: 'held' | 'rejected', reasons: Array<IntakeProblem | HoldReason>) => ctx.uow.afterCommit(() => notifyIntakeStaff({ platform: ctx.platform, to: source!.staff_email, source: source!.name, result, externalId, reasons, payload, contentType: request.contentType }));
  if (rejected || !parsed.order) {
    notify('rejected', parsed.problems);
    return answerOf({ intakeId: intake.id, result: 'rejected', reasons: parsed.problems, order: null, replayed: false });
  }
  const { holds, order } = await storeOrder(ctx, parsed.order, intake.id);
  const result = holds.length ? 'held' : 'accepted';
  await setIntake(ctx, intake.id, { result, reasons: holds.length ? JSON.stringify(holds) : null, order: order?.id ?? null });
  if (holds.length) notify('held', holds);
  // Answered from what was written: the same answer a replay reads back (answer below).
  return answerOf({ intakeId: intake.id, result, reasons: holds, order, replayed: false });
}

export const duplicateOrderId = (externalId: string) => new AppError('conflict', `Order ${externalId} was received before with other content`, { errors: [{ field: 'externalId', code: 'duplicate_order_id', message: 'This shop order id was already received with a different body; send a new id for a new order' }] });

export const storedOrder = (r: ApiRecord): StoredOrder => ({ id: r.id, number: r.number == null ? null : String(r.number), status: r.status == null ? null : String(r.status) });

/** The intakes of these shop order ids this source stored before (accepted or held), by id, with one statement. */
export async function storedIntakes(ctx: TxContext, sourceId: string, externalIds: string[]): Promise<Map<string, { id: string; body_sha256: string }>> {
  const r = await sql<{ id: string; external_id: string; body_sha256: string }>`SELECT id, external_id, body_sha256 FROM ${tableOf(ctx, 'order_intake')}
    WHERE source_id = ${sourceId} AND external_id = ANY(${externalIds}::text[]) AND deleted_at IS NULL AND result IN ('accepted', 'held')`.execute(ctx.trx);
  return new Map(r.rows.map(({ external_id, ...row }) => [external_id, row]));
}

function setIntake(ctx: TxContext, id: string, values: Record<string, unknown>) {
  return updateRecord({ ctx, object: ctx.platform.registry.requireObject('order_intake'), id, input: {}, options: { systemValues: values } });
}

/** The answer of an intake stored before (a replay), read back from the log and its order. */
async function answer(ctx: TxContext, intakeId: string, replayed: boolean): Promise<IntakeAnswer> {
  const r = (await sql<{ result: IntakeAnswer['body']['result']; reasons: string | null; order_id: string | null; number: string | null; status: string | null }>`
    SELECT i.result, i.reasons, i.order_id, o.number, o.status FROM ${tableOf(ctx, 'order_intake')} i LEFT JOIN ${tableOf(ctx, 'order')} o ON o.id = i.order_id WHERE i.id = ${intakeId}`.execute(ctx.trx)).rows[0]!;
  const reasons = r.reasons ? (JSON.parse(r.reasons) as Array<IntakeProblem | HoldReason>) : [];
  return answerOf({ intakeId, result: r.result, reasons, order: r.order_id ? { id: r.order_id, number: r.number, status: r.status } : null, replayed });
}

export function answerOf(a: { intakeId: string; result: IntakeAnswer['body']['result']; reasons: Array<IntakeProblem | HoldReason>; order: StoredOrder | null; replayed: boolean }): IntakeAnswer {
  return {
    status: a.result === 'rejected' ? 422 : 202,
    body: {
      intake: a.intakeId, result: a.result, order: a.order?.id ?? null, orderNumber: a.order?.number ?? null, orderStatus: a.order?.status ?? null, replayed: a.replayed,
      reasons: a.reasons.map((x) => ({ field: x.field ?? 'order', code: x.code, message: x.message })),
    },
  };
}

/** What an intake's answer says of its order: as stored at the end of the intake's transaction. */
export interface StoredOrder {
  id: string;
  number: string | null;
  status: string | null;
}

/**
 * The order from a valid intake: the matched account and contact, the lines whose SKU is a known
 * product (unknown ones become hold reasons, never dropped: the payload keeps them), the shop's
 * prices. Without an account no order can be priced: the intake is held alone, and a person
 * fixes the account and sends it again or enters it. An order without holds is confirmed at once,
 * which sends its job ticket.
 */
async function storeOrder(ctx: TxContext, order: IntakeOrder, intakeId: string): Promise<{ holds: HoldReason[]; order: StoredOrder | null }> {
  const match = await matchAccount(ctx, order);
  if (!match.account) return { holds: [match.problem!], order: null };
  const products = await productsBySku(ctx, order.lines.map((l) => l.sku));
  const { holds, lines } = orderLinesOf(order, match.account, products);
  const header = orderHeaderOf(order, match);
  // A line the pipeline refuses (a product not in the account's price book) is held with the
  // pipeline's own reason and the order stored without it, under a savepoint per try.
  for (let tries = 0; tries <= lines.length; tries++) {
    let created: ApiRecord;
    try {
      created = await inSavepoint(ctx, 'intake_order', (inner) => writeOrderRecords({
        ctx: inner, header,
        systemValues: { source: 'shop', external_id: order.externalId, intake: intakeId, on_hold: holds.length > 0, hold_reasons: holds.length ? JSON.stringify(holds) : null },
        lines: lines.map((l) => ({ input: l.input })),
      }));
    } catch (error) {
      const refused = error instanceof AppError ? error.errors.find((e: FieldError) => /^lines\[\d+\]\./.test(e.field)) : undefined;
      if (!refused) throw error;
      const at = Number(/^lines\[(\d+)\]/.exec(refused.field)![1]);
      const line = lines[at]!;
      holds.push({ code: refused.code, field: refused.field.replace(/^lines\[\d+\]/, `lines[${line.index}]`), by: 'intake', message: `${order.lines[line.index]!.sku}: ${refused.message}` });
      lines.splice(at, 1);
      continue;
    }
    if (holds.length) return { holds, order: storedOrder(created) };
    // The confirm checks (the credit limit) may hold it instead: the intake is held with their reasons.
    const confirmed = await confirmOrder({ ctx, id: created.id });
    if (confirmed.on_hold === true) holds.push(...parseHoldReasons(confirmed.hold_reasons));
    return { holds, order: storedOrder(confirmed) };
  }
  throw new Error('unreachable: every line was refused and the order still failed');
}

export type IntakeLine = { index: number; input: Record<string, unknown> };

/**
 * What an order from a shop becomes before it is written: its lines whose SKU is a known product
 * (unknown ones become hold reasons, never dropped: the payload keeps them), at the shop's
 * prices, and every reason to hold it that is known before writing (the account's eligibility,
 * unknown SKUs, another currency than the account's).
 */
export function orderLinesOf(order: IntakeOrder, account: NonNullable<AccountMatch['account']>, products: Map<string, string>): { holds: HoldReason[]; lines: IntakeLine[] } {
  const holds: HoldReason[] = [...eligibilityProblems(account)];
  const lines: IntakeLine[] = [];
  order.lines.forEach((l, index) => {
    const product = products.get(l.sku.toLowerCase());
    if (!product) {
      holds.push({ code: 'unknown_sku', field: `lines[${index}].sku`, by: 'intake', message: `No active product has the code '${l.sku}' (quantity ${l.quantity}${l.description ? `, ${l.description}` : ''})` });
      return;
    }
    lines.push({
      index,
      input: {
        product, quantity: l.quantity, ...(l.unitPrice ? { unit_price: l.unitPrice } : {}), ...(l.description ? { description: l.description } : {}),
        ...(l.requestedDate ? { requested_date: l.requestedDate } : {}),
      },
    });
  });
  if (order.currency && account.currency && order.currency !== account.currency) {
    holds.push({ code: 'currency_mismatch', field: 'currency', by: 'intake', message: `The order is in ${order.currency}; the account buys in ${account.currency}` });
  }
  return { holds, lines };
}

/** The order's header fields from the shop's order and the matched account and contact. */
export function orderHeaderOf(order: IntakeOrder, match: AccountMatch): Record<string, unknown> {
  return {
    account: match.account!.id, contact: match.contactId ?? null, po_number: order.poNumber ?? null, requested_date: order.requestedDate ?? null,
    currency: order.currency ?? match.account!.currency ?? null, notes: order.notes ?? null,
    ...(order.shipTo ? { ship_to: [order.shipTo.name, order.shipTo.street, order.shipTo.postalCode, order.shipTo.city, order.shipTo.region, order.shipTo.country].filter(Boolean).join(', ') } : {}),
  };
}
