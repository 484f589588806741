import { sql } from 'kysely';
import { notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import type { ValidationRule } from '../types.ts';
import { assertPlainObject } from '../validate-definition.ts';
import { parseRuleInput } from './ruleInput.ts';
import { inMetadataTransaction } from './transaction.ts';

export async function updateValidationRule(args: { platform: Platform; actor: Actor; object: string; id: string; input: unknown }): Promise<ValidationRule> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change validation rules');
  const o = platform.registry.requireObject(args.object);
  const current = o.validationRules.find((r) => r.id === args.id);
  if (!current) throw notFound('Validation rule');
  const patch = parseRuleInput(platform, o, assertPlainObject(args.input, 'The rule'), true);
  const next = { ...current, ...patch };
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.rule.updated', target: { type: 'validation_rule', id: current.id }, details: { object: o.apiName, name: next.name, changed: Object.keys(patch) } }, async (trx) => {
    await sql`UPDATE meta_validation_rule SET name = ${next.name}, condition = ${JSON.stringify(next.condition)}::jsonb, message = ${next.message},
      field = ${next.field ?? null}, active = ${next.active}, updated_at = now() WHERE id = ${current.id}`.execute(trx);
  });
  return platform.registry.requireObject(o.apiName).validationRules.find((r) => r.id === current.id)!;
}
