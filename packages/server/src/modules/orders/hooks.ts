import type { HookRegistry } from '../../platform/records/hooks.ts';
import { deleteOrder, saveOrder, saveOrders } from './rules/order.ts';
import { nameTeamRule } from './rules/teamRule.ts';
import { checkIntakeSource } from './rules/intake.ts';
import { orderLineRules, saveOrderLine, saveOrderLines } from './rules/orderLine.ts';

const SAVE = ['create', 'update'] as const;

/** The orders' rules on the record pipeline (every entry point: REST, bulk, imports, intake, commands). */
export function registerOrderHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'orders.order', object: 'order', operations: [...SAVE], run: (args) => saveOrder(args), runMany: saveOrders });
  hooks.register('beforeDelete', { name: 'orders.orderDelete', object: 'order', run: deleteOrder });
  hooks.register('afterSave', { name: 'orders.orderRestore', object: 'order', operations: ['restore'], run: orderLineRules.restoreHeader });
  hooks.register('beforeLock', { name: 'orders.orderLineLock', object: 'order_line', run: orderLineRules.lockHeaderFirst });
  hooks.register('beforeSave', { name: 'orders.orderLine', object: 'order_line', operations: [...SAVE], run: saveOrderLine, runMany: saveOrderLines });
  hooks.register('beforeDelete', { name: 'orders.orderLineDelete', object: 'order_line', run: orderLineRules.delete });
  hooks.register('beforeSave', { name: 'orders.intakeSource', object: 'order_intake_source', operations: [...SAVE], run: checkIntakeSource });
  hooks.register('beforeSave', { name: 'orders.teamRuleName', object: 'production_team_rule', operations: [...SAVE], run: nameTeamRule });
  hooks.register('afterSave', { name: 'orders.orderLineRestore', object: 'order_line', operations: ['restore'], run: orderLineRules.restore });
}
