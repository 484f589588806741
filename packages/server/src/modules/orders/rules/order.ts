import type { ApiRecord, BeforeDeleteArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { getRecordsById } from '../../../platform/records/read.ts';
import { asSystem } from '../../../platform/records/context.ts';
import { AppError } from '../../../platform/errors.ts';
import {
  billingSettings, checkDocumentHeader, headerTotals, inDocumentCommand, isBlank, isRealDate, lockDocument, markDocumentDeleting, nextDocumentNumber, nextDocumentNumbers,
  readRecord, refuse, roundingText, storedDocumentLines, today,
} from '../../billing/index.ts';
import { orderSettings } from '../settings.ts';
import { assertOrderCan } from '../status.ts';
import { ORDER } from '../kind.ts';
import type { OrderStatus } from '../objects.ts';

const PRICING_FIELDS = ['account', 'currency', 'price_date'];
/** What an order's totals are made from besides its lines. */
const FIGURE_INPUTS = ['currency', 'tax_inclusive', 'discount_percent', 'discount_amount'];
const SHIPPING = ['shipping_street', 'shipping_city', 'shipping_state', 'shipping_postal_code', 'shipping_country'];

function sets(data: Record<string, unknown>, previous: Record<string, unknown> | undefined, field: string): boolean {
  return field in data && (!previous || JSON.stringify(previous[field] ?? null) !== JSON.stringify(data[field] ?? null));
}

/**
 * An order's save. On create: the number from the order series, status received (a command may
 * set another), source web or api by the channel, the opportunity's account, the currency (the
 * account's, else the corporate one) and the price date. On every save: the order must be
 * editable (received or confirmed) unless a command writes; pricing inputs cannot change under
 * existing lines; one kind of document discount; totals recomputed from the lines.
 */
export async function saveOrder(args: BeforeSaveArgs, ahead: ReadAhead = {}): Promise<void> {
  const { ctx, operation, data, merged, previous, options } = args;
  const command = operation === 'update' && inDocumentCommand(ctx, previous!.id);
  if (operation === 'update' && !command) {
    await lockDocument(ctx, ORDER, previous!.id);
    assertOrderCan('edit', previous!.status as OrderStatus);
  }
  const sys = asSystem(ctx);
  if (!isBlank(merged.opportunity) && (operation === 'create' || sets(data, previous, 'opportunity'))) {
    const opportunity = await readRecord(sys, 'opportunity', String(merged.opportunity), ['account', 'currency']);
    if (isBlank(merged.account)) data.account = merged.account = opportunity.account;
    else if (!isBlank(opportunity.account) && merged.account !== opportunity.account) refuse('account', 'not_the_opportunity_account', "The order's account must be the opportunity's account");
  }
  if (operation === 'create') {
    if (isBlank(merged.account)) refuse('account', 'required', 'Choose the account that orders');
    const account: Record<string, unknown> = ahead.account?.id === merged.account ? ahead.account! : await readRecord(sys, 'account', String(merged.account), ['currency', ...SHIPPING]).catch(() => ({}) as Record<string, unknown>);
    if (isBlank(merged.currency)) data.currency = merged.currency = isBlank(account.currency) ? billingSettings.of(ctx.platform).corporateCurrency : account.currency;
    if (isBlank(merged.ship_to)) {
      const address = SHIPPING.map((f) => account[f]).filter((v) => !isBlank(v)).join(', ');
      if (address) data.ship_to = address;
    }
    if (isBlank(merged.price_date)) data.price_date = merged.price_date = today(ctx);
    const system = options.systemValues ?? {};
    if (isBlank(system.number)) data.number = merged.number = ahead.number ?? (await nextDocumentNumber({ ctx, series: 'order', format: orderSettings.of(ctx.platform).orderNumberFormat, gaps: 'allowed' }));
    if (isBlank(system.status)) data.status = 'received';
    if (isBlank(system.on_hold)) data.on_hold = false;
    if (isBlank(system.source)) data.source = ctx.actor.via === 'ui' ? 'web' : 'api';
    data.name = merged.number;
  }
  checkDocumentHeader(merged);
  if (!isBlank(merged.requested_date) && !isRealDate(String(merged.requested_date))) refuse('requested_date', 'invalid_date', 'Must be a date (YYYY-MM-DD)');

  if (operation === 'create') {
    Object.assign(data, { subtotal: 0, discount_total: 0, taxable: 0, tax_total: 0, total: 0, rounding: roundingText(ctx) });
    return;
  }
  // The lines are read only when a user's save changes what they were priced with (a command's
  // status or stamp never does): the refusal needs them, nothing else here does.
  const repricing = PRICING_FIELDS.find((f) => sets(data, previous, f));
  if (repricing && !command && (await storedDocumentLines(ctx, ORDER, previous!.id)).length) {
    refuse(repricing, 'has_lines', 'The lines were priced for this account, currency and date; remove them before changing it');
  }
  // A save that changes none of the figures' inputs (a status, a stamp, the invoice it is on), under
  // the rounding its totals were made with, keeps them: re-totalling reads and rewrites every line.
  if (!FIGURE_INPUTS.some((f) => sets(data, previous, f)) && merged.rounding === roundingText(ctx)) return;
  Object.assign(data, await headerTotals(ctx, ORDER, previous!.id, merged));
}

/** What saveOrders read for a new order before its turn: its account, and a number from the series. */
interface ReadAhead {
  account?: ApiRecord;
  number?: string;
}

/**
 * saveOrder for the orders of one batch (createRecords: a shop's orders taken in together): the
 * accounts of the new orders read with one statement and their numbers taken from the series
 * with another, then each order saved in turn as saveOrder does with them. Per order the error
 * saveOrder would have thrown (undefined when none). A number taken for an order refused later
 * is a gap, as the order series allows.
 */
export async function saveOrders(list: BeforeSaveArgs[]): Promise<unknown[]> {
  const { ctx } = list[0]!;
  const fresh = list.filter((a) => a.operation === 'create' && isBlank(a.merged.opportunity) && !isBlank(a.merged.account));
  const accounts = fresh.length ? await getRecordsById({ ctx: asSystem(ctx), object: ctx.platform.registry.requireObject('account'), ids: [...new Set(fresh.map((a) => String(a.merged.account)))] }) : new Map<string, ApiRecord>();
  const numbered = fresh.filter((a) => isBlank(a.options.systemValues?.number));
  const numbers = numbered.length ? await nextDocumentNumbers({ ctx, series: 'order', format: orderSettings.of(ctx.platform).orderNumberFormat, count: numbered.length, gaps: 'allowed' }) : [];
  const errors: unknown[] = [];
  for (const args of list) {
    const at = numbered.indexOf(args);
    try {
      await saveOrder(args, { ...(fresh.includes(args) ? { account: accounts.get(String(args.merged.account)) } : {}), ...(at >= 0 ? { number: numbers[at] } : {}) });
      errors.push(undefined);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors.push(error);
    }
  }
  return errors;
}

/** Only an order that never reached production can be deleted; after that it is cancelled instead, and stays as the record. */
export function deleteOrder({ ctx, record }: BeforeDeleteArgs): void {
  const status = record.status as OrderStatus;
  if (status !== 'received') {
    throw new AppError('conflict', 'Only a received order can be deleted; cancel it instead', { errors: [{ field: 'status', code: 'order_locked', message: `A ${status.replace('_', ' ')} order cannot be deleted; cancel it instead` }] });
  }
  markDocumentDeleting(ctx, record.id);
}
