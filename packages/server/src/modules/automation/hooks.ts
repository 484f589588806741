import { hasCapability } from '../../platform/access/policy.ts';
import { forbidden, validationFailed } from '../../platform/errors.ts';
import type { HookRegistry } from '../../platform/records/hooks.ts';
import { invalidateRules } from './engine/cache.ts';
import { runBeforeSaveRules } from './engine/before.ts';
import { enqueueRuns } from './engine/enqueue.ts';
import { compileRule } from './spec.ts';

export const MANAGE_RULES = 'automation.manage_rules';
const RULE = 'automation_rule';

/**
 * The rules' own checks (a rule acts as the system, so only those allowed to manage rules write
 * them; every part is checked on save, naming the field) and the engine's two wildcard hooks.
 */
export function registerAutomationHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', {
    name: 'automation.rule-check',
    object: RULE,
    run({ ctx, data, merged, options }) {
      // Meridian switching a broken rule off: no check (what it uses is gone), no permission.
      if (options.systemValues && 'disabled_reason' in options.systemValues) return;
      if (!hasCapability(ctx.actor, MANAGE_RULES)) throw forbidden('Workflow rules need the "Manage workflow rules" permission');
      const { errors } = compileRule(merged, ctx.platform.registry);
      if (errors.length) throw validationFailed(errors, `The workflow rule is not valid: ${errors[0]!.field}: ${errors[0]!.message}`);
      if (merged.disabled_reason) {
        data.disabled_reason = null;
        merged.disabled_reason = null;
      }
    },
  });
  hooks.register('beforeDelete', {
    name: 'automation.rule-delete',
    object: RULE,
    run({ ctx }) {
      if (!hasCapability(ctx.actor, MANAGE_RULES)) throw forbidden('Workflow rules need the "Manage workflow rules" permission');
    },
  });
  hooks.register('afterSave', { name: 'automation.rule-saved', object: RULE, run: ({ ctx }) => invalidateRules(ctx.platform) });
  hooks.register('afterCommit', { name: 'automation.rule-committed', object: RULE, run: ({ ctx }) => invalidateRules(ctx.platform) });
  hooks.register('beforeDelete', { name: 'automation.rule-deleted', object: RULE, run: ({ ctx }) => invalidateRules(ctx.platform) });

  hooks.register('beforeSave', {
    name: 'automation.before-save',
    object: '*',
    run: (args) => (args.object.apiName === RULE ? undefined : runBeforeSaveRules(args)),
  });
  hooks.register('afterSave', {
    name: 'automation.after-save',
    object: '*',
    operations: ['create', 'update'],
    run: ({ ctx, object, operation, record, previous }) => (object.apiName === RULE ? undefined : enqueueRuns({ ctx, object, operation: operation as 'create' | 'update', record, previous })),
  });
  hooks.register('beforeDelete', {
    name: 'automation.deleted',
    object: '*',
    run: ({ ctx, object, record }) => (object.apiName === RULE ? undefined : enqueueRuns({ ctx, object, operation: 'delete', record })),
  });
}
