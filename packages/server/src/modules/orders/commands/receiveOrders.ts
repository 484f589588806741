import type { Platform } from '../../../platform/kernel.ts';
import { inSavepoint, inTransaction, systemActor, type TxContext } from '../../../platform/records/context.ts';
import { createRecords } from '../../../platform/records/write.ts';
import { updateRecords } from '../../../platform/records/updateMany.ts';
import { isBlank, writeLinesOfDocuments } from '../../billing/index.ts';
import type { IntakeOrder } from '../intake/index.ts';
import { ORDER } from '../kind.ts';
import { confirmNewOrders } from './changeStatus.ts';
import { parseHoldReasons } from './holds.ts';
import { notifyIntakeStaff } from './intakeMail.ts';
import { matchAccounts, productsBySku, type AccountMatch } from './matchIntake.ts';
import {
  answerOf, intakeValues, orderHeaderOf, orderLinesOf, readIntakeRequest, readIntakeSource, receiveOneOrder, stampReceived, storedIntakes, storedOrder,
  type IntakeAnswer, type IntakeLine, type IntakeRequest, type IntakeSource,
} from './receiveOrder.ts';

export type IntakeOutcome = { answer: IntakeAnswer } | { error: unknown };

interface Usual {
  at: number;
  request: IntakeRequest;
  read: ReturnType<typeof readIntakeRequest>;
  order: IntakeOrder;
  match?: AccountMatch;
  lines?: IntakeLine[];
}

/**
 * Takes in the requests a shop sent together (the intake queue below), in one transaction, each
 * answered as receiveOneOrder would answer it alone. The usual ones — signed, readable, a shop
 * order id not seen before and once in the batch, the account matched, every SKU known, nothing
 * to hold — are stored together: their log rows, orders, lines, confirmations and results each
 * with one pass of the record pipeline for all (createRecords, writeLinesOfDocuments,
 * confirmNewOrders, updateRecords), where one order alone costs some fifty statements. Every
 * other request — a replay, a rejection, a hold, a refused signature — goes through
 * receiveOneOrder, one at a time, after them, under its own savepoint, so that one request's
 * failure answers that request only. If the usual ones cannot be stored together (a line the
 * price book refuses), the transaction is rolled back — it had only read — and the batch is
 * taken in again with every request alone.
 */
export async function receiveOrders(args: { platform: Platform; key: string; requests: IntakeRequest[] }): Promise<IntakeOutcome[]> {
  try {
    return await takeIn({ ...args, together: true });
  } catch (error) {
    if (!(error instanceof NotTogether)) throw error;
    args.platform.logger.debug({ err: error.cause, requests: args.requests.length }, 'intake: orders received together are stored one at a time');
    return takeIn({ ...args, together: false });
  }
}

/** The usual orders of a batch could not be stored together: the batch is taken in again, each alone. */
class NotTogether extends Error {}

function takeIn(args: { platform: Platform; key: string; requests: IntakeRequest[]; together: boolean }): Promise<IntakeOutcome[]> {
  const { requests } = args;
  return inTransaction({ platform: args.platform, actor: systemActor('api') }, async (ctx) => {
    const source = await readIntakeSource(ctx, args.key);
    const outcomes: Array<IntakeOutcome | undefined> = requests.map(() => undefined);
    const alone: number[] = [];
    const usual: Usual[] = [];
    const ids = new Set<string>();
    for (const [at, request] of requests.entries()) {
      let read: ReturnType<typeof readIntakeRequest>;
      try {
        read = readIntakeRequest(source, request);
      } catch (error) {
        outcomes[at] = { error };
        continue;
      }
      const order = read.parsed.order;
      if (!args.together || read.parsed.problems.length || !order || isBlank(order.externalId) || ids.has(order.externalId) || !order.lines.length) alone.push(at);
      else {
        ids.add(order.externalId);
        usual.push({ at, request, read, order });
      }
    }
    if (usual.length) {
      const stored = await storeUsual(ctx, source!, usual);
      for (const u of usual) {
        const answer = stored.get(u.at);
        if (answer) outcomes[u.at] = { answer };
        else alone.push(u.at);
      }
    }
    // One request alone needs no savepoint: its failure is the transaction's.
    const single = requests.length === 1;
    for (const at of alone.sort((a, b) => a - b)) {
      if (single) outcomes[at] = { answer: await receiveOneOrder(ctx, source, requests[at]!) };
      else outcomes[at] = await inSavepoint(ctx, 'intake_one', async (inner) => ({ answer: await receiveOneOrder(inner, source, requests[at]!) })).catch((error: unknown) => ({ error }));
    }
    return outcomes.map((o) => o!);
  });
}

/** The usual requests stored together, by their place in the batch; those missing (not usual after all) go alone. Throws NotTogether when they cannot be stored together. */
async function storeUsual(ctx: TxContext, source: IntakeSource, candidates: Usual[]): Promise<Map<number, IntakeAnswer>> {
  const seen = await storedIntakes(ctx, source.id, candidates.map((c) => c.order.externalId!));
  const fresh = candidates.filter((c) => !seen.has(c.order.externalId!));
  const matches = await matchAccounts(ctx, fresh.map((c) => c.order));
  const products = await productsBySku(ctx, [...new Set(fresh.flatMap((c) => c.order.lines.map((l) => l.sku.toLowerCase())))]);
  const usual: Usual[] = [];
  fresh.forEach((c, i) => {
    const match = matches[i]!;
    if (!match.account) return;
    const { holds, lines } = orderLinesOf(c.order, match.account, products);
    if (!holds.length && lines.length) usual.push({ ...c, match, lines });
  });
  if (!usual.length) return new Map();
  // Nothing was written before this: a failure rolls the transaction back to where it began.
  try {
    return await writeUsual(ctx, source, usual);
  } catch (error) {
    throw new NotTogether('the usual orders could not be stored together', { cause: error });
  }
}

async function writeUsual(batch: TxContext, source: IntakeSource, usual: Usual[]): Promise<Map<number, IntakeAnswer>> {
  // A failure here is NotTogether: the batch is rolled back whole and taken in one at a time.
  const ctx: TxContext = { ...batch, retriedOneByOne: true };
  const { registry } = ctx.platform;
  const intakeObject = registry.requireObject('order_intake');
  const intakes = await createRecords({ ctx, object: intakeObject, records: usual.map((u) => ({ input: {}, options: { systemValues: intakeValues(source, u.request, u.read) } })) });
  const orders = await createRecords({
    ctx, object: registry.requireObject('order'),
    records: usual.map((u, n) => ({
      input: orderHeaderOf(u.order, u.match!),
      options: { pathPrefix: 'order.', systemValues: { source: 'shop', external_id: u.order.externalId, intake: intakes[n]!.id, on_hold: false, hold_reasons: null } },
    })),
  });
  await writeLinesOfDocuments({ ctx, kind: ORDER, documents: orders.map((header, n) => ({ header, prefix: '', lines: usual[n]!.lines!.map((l) => ({ input: l.input })) })) });
  // The confirm checks (the credit limit) may hold an order instead: its intake is held with their reasons.
  const confirmed = await confirmNewOrders(ctx, orders.map((o) => o.id));
  const holds = confirmed.map((o) => (o.on_hold === true ? parseHoldReasons(o.hold_reasons) : []));
  await updateRecords({
    ctx, object: intakeObject,
    records: usual.map((u, n) => ({ id: intakes[n]!.id, input: {}, options: { systemValues: { result: holds[n]!.length ? 'held' : 'accepted', reasons: holds[n]!.length ? JSON.stringify(holds[n]) : null, order: orders[n]!.id } } })),
  });
  stampReceived(ctx, source.id);
  const answers = new Map<number, IntakeAnswer>();
  usual.forEach((u, n) => {
    const reasons = holds[n]!;
    if (reasons.length) {
      ctx.uow.afterCommit(() => notifyIntakeStaff({
        platform: ctx.platform, to: source.staff_email, source: source.name, result: 'held', externalId: u.order.externalId, reasons,
        payload: u.request.body.toString('utf8'), contentType: u.request.contentType,
      }));
    }
    answers.set(u.at, answerOf({ intakeId: intakes[n]!.id, result: reasons.length ? 'held' : 'accepted', reasons, order: storedOrder(confirmed[n]!), replayed: false }));
  });
  return answers;
}


/** At most this many requests of one shop are taken in by one transaction… */
const MAX_BATCH = 32;
/** …and at most this many such transactions run at once per shop (one writes while the next is read and built). */
const MAX_IN_FLIGHT = 2;

interface Pending {
  request: IntakeRequest;
  resolve: (answer: IntakeAnswer) => void;
  reject: (error: unknown) => void;
}

/**
 * The requests of one source waiting to be taken in. A request arriving while fewer than
 * MAX_IN_FLIGHT transactions run starts one at once, so a lone order waits for nothing; requests
 * arriving meanwhile wait for the next, which takes all of them. So a busy shop's orders are
 * grouped by the load itself, with no timer. A transaction that fails as a whole (a deadlock, a
 * lost connection) is tried again one request at a time, so one request never fails another.
 */
class IntakeQueue {
  readonly #waiting: Pending[] = [];
  #running = 0;

  readonly #platform: Platform;
  readonly #key: string;
  readonly #onIdle: () => void;

  constructor(platform: Platform, key: string, onIdle: () => void) {
    this.#platform = platform;
    this.#key = key;
    this.#onIdle = onIdle;
  }

  submit(request: IntakeRequest): Promise<IntakeAnswer> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#running < MAX_IN_FLIGHT && this.#waiting.length) {
      const batch = this.#waiting.splice(0, MAX_BATCH);
      this.#running++;
      void this.#take(batch).finally(() => {
        this.#running--;
        this.#drain();
        if (!this.#running && !this.#waiting.length) this.#onIdle();
      });
    }
  }

  async #take(batch: Pending[]): Promise<void> {
    let outcomes: IntakeOutcome[];
    try {
      outcomes = await receiveOrders({ platform: this.#platform, key: this.#key, requests: batch.map((p) => p.request) });
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const p of batch) await this.#take([p]);
      return;
    }
    outcomes.forEach((o, i) => ('answer' in o ? batch[i]!.resolve(o.answer) : batch[i]!.reject(o.error)));
  }
}

const queues = new WeakMap<Platform, Map<string, IntakeQueue>>();

/**
 * Receives one order from a shop (POST /api/v1/order-intake/{key}): queued with the same shop's
 * concurrent requests and answered as receiveOneOrder answers it alone. A queue lives while it
 * has work (an unknown key leaves nothing behind).
 */
export function receiveOrder(args: { platform: Platform; key: string } & IntakeRequest): Promise<IntakeAnswer> {
  const { platform, key, ...request } = args;
  let byKey = queues.get(platform);
  if (!byKey) queues.set(platform, (byKey = new Map()));
  let queue = byKey.get(key);
  if (!queue) {
    const created = new IntakeQueue(platform, key, () => byKey.get(key) === created && byKey.delete(key));
    byKey.set(key, (queue = created));
  }
  return queue.submit(request);
}
