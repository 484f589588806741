import { validationFailed } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { getRecord, listRecords } from '../../../platform/records/read.ts';
import { recordName } from '../../../platform/records/serialize.ts';
import { automationAction } from '../actions/registry.ts';
import { conditionMet, lookupsOf, templateScope } from '../engine/match.ts';
import { describeError } from '../engine/worker.ts';
import { compileRule } from '../spec.ts';

export interface DryRunRecord {
  id: string;
  name: string;
  conditionMet: boolean;
  actions: Array<{ type: string; description: string | null; error: string | null }>;
}

/**
 * The dry run: the rule's entry condition and actions against existing records the user can see
 * (a page at a time), saying what each action would do. Writes nothing, sends nothing — the
 * actions' describe() only reads.
 */
export async function dryRunRule(args: { ctx: RecordContext; ruleId: string; limit?: number; cursor?: string }): Promise<{ rule: { id: string; name: string }; records: DryRunRecord[]; nextCursor: string | null }> {
  const { ctx } = args;
  const registry = ctx.platform.registry;
  const saved = await getRecord({ ctx, object: registry.requireObject('automation_rule'), id: args.ruleId });
  const { rule, errors } = compileRule(saved, registry);
  if (!rule) throw validationFailed(errors, 'The rule is not valid; correct it before a dry run');
  const object = registry.requireObject(rule.object);
  const page = await listRecords({ ctx, object, limit: args.limit ?? 20, ...(args.cursor ? { cursor: args.cursor } : {}) });
  const records = await inTransaction(ctx, async (tx) => {
    const out: DryRunRecord[] = [];
    for (const summary of page.data) {
      const record = await getRecord({ ctx: tx, object, id: summary.id });
      const met = await conditionMet(tx, { ...rule, onlyOnChange: false }, 'update', record);
      const entry: DryRunRecord = { id: record.id, name: recordName(object, record), conditionMet: met, actions: [] };
      if (met) {
        const scope = await templateScope(tx, object, record, lookupsOf(rule));
        for (const a of rule.actions) {
          try {
            const description = await automationAction(a.type)!.describe({ ctx: tx, config: a.config, object, record, scope, rule: { id: rule.id, name: rule.name, owner: rule.owner }, actedFor: ctx.actor.userId });
            entry.actions.push({ type: a.type, description, error: null });
          } catch (error) {
            entry.actions.push({ type: a.type, description: null, error: describeError(error) });
          }
        }
      }
      out.push(entry);
    }
    return out;
  });
  return { rule: { id: rule.id, name: rule.name }, records, nextCursor: page.nextCursor };
}
