import { validationFailed } from '../../../platform/errors.ts';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { coerceValue } from '../../../platform/records/values.ts';
import { isTemplate, renderTemplate } from '../templates.ts';
import { rulesFor } from './cache.ts';
import { chainOf } from './chain.ts';
import { conditionMet, lookupsOf, templateScope, triggerMatches } from './match.ts';

/**
 * Before-save rules: in the write's own transaction, before validation, each matching rule's
 * `update_fields` values are put into the data being written — the same single write, nothing
 * extra. Rules run in order, each seeing what the ones before it set.
 */
export async function runBeforeSaveRules(args: BeforeSaveArgs): Promise<void> {
  const { ctx, object, operation, data, merged, previous } = args;
  const rules = await rulesFor(ctx, object.apiName, 'before_save');
  if (!rules.length) return;
  const chain = chainOf(ctx);
  for (const rule of rules) {
    if (chain?.ruleId === rule.id) continue;
    if (!triggerMatches(rule, operation, merged, previous)) continue;
    if (!(await conditionMet(ctx, rule, operation, merged, previous))) continue;
    const lookups = lookupsOf(rule);
    const scope = lookups.length || rule.actions.some((a) => Object.values(a.config.values).some(isTemplate)) ? await templateScope(ctx, object, merged, lookups) : {};
    for (const action of rule.actions) {
      for (const [name, value] of Object.entries(action.config.values as Record<string, unknown>)) {
        const field = ctx.platform.registry.getField(object, name);
        if (!field) continue;
        const c = coerceValue(field, isTemplate(value) ? renderTemplate(value, scope) : value, name);
        if (!c.ok) throw validationFailed([{ ...c.error, message: `Workflow rule '${rule.name}': ${c.error.message}` }]);
        data[name] = c.value;
        merged[name] = c.value;
      }
    }
  }
}
