import { AppError } from '../../platform/errors.ts';
import type { OrderStatus } from './objects.ts';

/**
 * An order's life (docs/orders.md): which named command may move it from which status.
 *
 *   received ─confirm─▶ confirmed ─startProduction─▶ in_production ─complete─▶ completed
 *      │  (held orders wait here)   ╰──────────────complete (no production step)──────╯
 *   received / confirmed / in_production ─cancel─▶ cancelled
 *
 * Lines change only before production starts. A held order cannot be confirmed until released.
 */
export type OrderCommand = 'confirm' | 'startProduction' | 'complete' | 'cancel' | 'edit' | 'hold' | 'release' | 'reprint';

const FROM: Record<OrderCommand, readonly OrderStatus[]> = {
  confirm: ['received'],
  startProduction: ['confirmed'],
  complete: ['confirmed', 'in_production'],
  cancel: ['received', 'confirmed', 'in_production'],
  edit: ['received', 'confirmed'],
  hold: ['received', 'confirmed'],
  release: ['received', 'confirmed'],
  reprint: ['confirmed', 'in_production', 'completed'],
};

const VERB: Record<OrderCommand, string> = {
  confirm: 'confirmed', startProduction: 'put into production', complete: 'completed', cancel: 'cancelled', edit: 'changed',
  hold: 'held', release: 'released', reprint: 'given a job ticket',
};

export function canRunOrder(command: OrderCommand, status: OrderStatus): boolean {
  return FROM[command].includes(status);
}

/** The typed refusal: 409 `conflict` with `errors[0].code` `order_<status>` or `invalid_transition`. */
export function assertOrderCan(command: OrderCommand, status: OrderStatus): void {
  if (canRunOrder(command, status)) return;
  const code = command === 'edit' ? 'order_locked' : ['completed', 'cancelled'].includes(status) ? `order_${status}` : 'invalid_transition';
  const message = `${status === 'in_production' ? 'An order in production' : `A ${status.replace('_', ' ')} order`} cannot be ${VERB[command]}`;
  throw new AppError('conflict', message, { errors: [{ field: 'status', code, message }], extra: { status, command } });
}

/** The command that moves an order to a status (the production board's drag). */
export function commandTo(status: OrderStatus): OrderCommand | undefined {
  return ({ confirmed: 'confirm', in_production: 'startProduction', completed: 'complete', cancelled: 'cancel' } as Partial<Record<OrderStatus, OrderCommand>>)[status];
}
