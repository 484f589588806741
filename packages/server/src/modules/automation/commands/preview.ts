import { validationFailed } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { recordName } from '../../../platform/records/serialize.ts';
import { automationAction } from '../actions/registry.ts';
import { conditionMet, lookupsOf, templateScope } from '../engine/match.ts';
import { describeError } from '../engine/worker.ts';
import { compileRule } from '../spec.ts';
import { isTemplate, renderTemplate } from '../templates.ts';

export interface RulePreview {
  record: { id: string; name: string };
  conditionMet: boolean;
  actions: Array<{ type: string; description: string | null; error: string | null; texts: Array<{ path: string; text: string | null; error: string | null }> }>;
}

/**
 * The rule builder's preview: a rule as it is being edited (not saved) against one real record —
 * whether the entry condition holds, what each action would do, and every template rendered with
 * that record's values. Checks the rule exactly as saving it would (the same field errors), reads
 * the record with the user's access, and writes and sends nothing.
 */
export async function previewRule(args: { ctx: RecordContext; rule: Record<string, unknown>; recordId: string }): Promise<RulePreview> {
  const { ctx } = args;
  const registry = ctx.platform.registry;
  const { rule, errors } = compileRule({ ...args.rule, id: 'preview', owner: ctx.actor.userId }, registry);
  if (!rule) throw validationFailed(errors, 'The rule is not valid yet');
  const object = registry.requireObject(rule.object);
  const record = await getRecord({ ctx, object, id: args.recordId });
  const raw = JSON.parse(String(args.rule.actions)) as Array<Record<string, unknown>>;
  return inTransaction(ctx, async (tx) => {
    const met = await conditionMet(tx, { ...rule, onlyOnChange: false }, 'update', record);
    const scope = await templateScope(tx, object, record, lookupsOf(rule));
    const actions: RulePreview['actions'] = [];
    for (const [i, a] of rule.actions.entries()) {
      const texts = templatesIn(raw[i], `actions[${i}]`).map(({ path, template }) => {
        try {
          return { path, text: renderTemplate(template, scope), error: null };
        } catch (error) {
          return { path, text: null, error: describeError(error) };
        }
      });
      try {
        const description = await automationAction(a.type)!.describe({ ctx: tx, config: a.config, object, record, scope, rule: { id: rule.id, name: rule.name, owner: rule.owner }, actedFor: ctx.actor.userId });
        actions.push({ type: a.type, description, error: null, texts });
      } catch (error) {
        actions.push({ type: a.type, description: null, error: describeError(error), texts });
      }
    }
    return { record: { id: record.id as string, name: recordName(object, record) }, conditionMet: met, actions };
  });
}

/** Every template string in an action's settings, with its path (actions[0].values.subject). */
function templatesIn(value: unknown, path: string): Array<{ path: string; template: string }> {
  if (isTemplate(value)) return [{ path, template: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => templatesIn(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => templatesIn(v, `${path}.${k}`));
  return [];
}
