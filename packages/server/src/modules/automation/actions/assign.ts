import { sql } from 'kysely';
import { updateRecord } from '../../../platform/records/write.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { assignByRules } from '../../leadcapture/index.ts';
import { registerAutomationAction, type ActionRun } from './registry.ts';

interface AssignConfig {
  user?: string;
  group?: string;
  /** Leads: the lead capture module's assignment rules decide (territories, queues, round robin). */
  rules?: true;
}

/**
 * The next member of the group, in a fixed order (by user id), from the rule's own counter: the
 * counter row is locked by the increment, so concurrent runs each get the next one — fair, no
 * two the same. Inactive members are skipped.
 */
async function nextInGroup(run: ActionRun<AssignConfig>, index: number): Promise<string | null> {
  const members = await sql<{ id: string }>`SELECT u.id FROM access_group_member m JOIN obj_user u ON u.id = m.user_id
    WHERE m.group_name = ${run.config.group} AND u.deleted_at IS NULL AND u.active IS NOT FALSE ORDER BY u.id`.execute(run.ctx.trx);
  if (!members.rows.length) return null;
  const r = await sql<{ position: string }>`INSERT INTO automation_round_robin (rule_id, action_index, position) VALUES (${run.rule.id}::uuid, ${index}, 0)
    ON CONFLICT (rule_id, action_index) DO UPDATE SET position = automation_round_robin.position + 1 RETURNING position`.execute(run.ctx.trx);
  return members.rows[Number(r.rows[0]!.position) % members.rows.length]!.id;
}

/** Assign the record's owner: a user, round robin in a group, or (leads) the assignment rules. */
registerAutomationAction<AssignConfig & { index: number }>({
  type: 'assign_owner',
  transactional: true,
  label: 'Assign the owner',
  phases: ['after_save'],
  check({ config, path, errors, object, registry }) {
    if (!registry.getField(object, 'owner')) errors.push({ field: `${path}.type`, code: 'invalid', message: `${object.pluralLabel} have no owner` });
    const user = typeof config.user === 'string' && UUID_RE.test(config.user) ? config.user : undefined;
    const group = typeof config.group === 'string' && /^[a-z0-9_]{1,64}$/i.test(config.group) ? config.group : undefined;
    const rules = config.rules === true ? true : undefined;
    if ([user, group, rules].filter(Boolean).length !== 1) errors.push({ field: `${path}.user`, code: 'invalid', message: 'One of: a user id (user), a group name (group) for round robin, or rules: true (leads: the assignment rules)' });
    if (rules && object.apiName !== 'lead') errors.push({ field: `${path}.rules`, code: 'invalid', message: 'The assignment rules assign leads' });
    // The action's position in the rule keys its round-robin counter; set by the engine's order.
    return { ...(user ? { user } : {}), ...(group ? { group } : {}), ...(rules ? { rules } : {}), index: Number(path.match(/\d+/)?.[0] ?? 0) };
  },
  async run(run) {
    if (run.config.rules) {
      const decided = await assignByRules(run.ctx, run.record);
      if (!decided?.owner) return { skipped: decided ? `rule ${decided.rule.name} gives queue ${decided.queue}` : 'no assignment rule decided' };
      await updateRecord({ ctx: run.ctx, object: run.object, id: run.record.id, input: { owner: decided.owner } });
      return { owner: decided.owner, rule: decided.rule.name };
    }
    const owner = run.config.user ?? (await nextInGroup(run, run.config.index));
    if (!owner) return { skipped: `group ${run.config.group} has no active member` };
    await updateRecord({ ctx: run.ctx, object: run.object, id: run.record.id, input: { owner } });
    return { owner };
  },
  async describe({ config }) {
    if (config.rules) return 'Assign by the lead assignment rules';
    return config.user ? `Assign to user ${config.user}` : `Assign to the next member of group ${config.group} (round robin)`;
  },
});
