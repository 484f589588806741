import { sql } from 'kysely';
import { uuidv7 } from '../../ids.ts';
import { AppError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import type { ValidationRule } from '../types.ts';
import { assertPlainObject } from '../validate-definition.ts';
import { parseRuleInput } from './ruleInput.ts';
import { inMetadataTransaction } from './transaction.ts';

export async function createValidationRule(args: { platform: Platform; actor: Actor; object: string; input: unknown }): Promise<ValidationRule> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change validation rules');
  const o = platform.registry.requireObject(args.object);
  const rule = parseRuleInput(platform, o, assertPlainObject(args.input, 'The rule'), false);
  if (o.validationRules.some((r) => r.name === rule.name)) throw new AppError('conflict', `A rule '${rule.name}' already exists on ${o.apiName}`, { errors: [{ field: 'name', code: 'duplicate', message: 'Already in use' }] });
  const id = uuidv7();
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.rule.created', target: { type: 'validation_rule', id }, details: { object: o.apiName, name: rule.name } }, async (trx) => {
    await sql`INSERT INTO meta_validation_rule (id, object, name, condition, message, field, active)
      VALUES (${id}, ${o.apiName}, ${rule.name!}, ${JSON.stringify(rule.condition)}::jsonb, ${rule.message!}, ${rule.field ?? null}, ${rule.active ?? true})`.execute(trx);
  });
  return platform.registry.requireObject(o.apiName).validationRules.find((r) => r.id === id)!;
}
