import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { systemActor, type TxContext } from '../../../platform/records/context.ts';
import { rowToRecord } from '../../../platform/records/serialize.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { compileRule, type CompiledRule } from '../spec.ts';
import type { Phase } from '../objects.ts';

/**
 * The active rules per object and phase, compiled, per process. Dropped when a rule is saved here
 * and when the metadata changes (a field deleted); reloaded after TTL_MS at the latest, so a rule
 * saved in another process applies here within seconds. An object without rules costs one map
 * lookup per write (the before-save bench).
 */
const TTL_MS = 5_000;

interface Cache {
  at: number;
  version: number;
  byKey: Map<string, CompiledRule[]>;
  byId: Map<string, CompiledRule>;
}

const caches = new WeakMap<Platform, Cache>();

export function invalidateRules(platform: Platform): void {
  caches.delete(platform);
}

async function load(ctx: TxContext): Promise<Cache> {
  const { platform } = ctx;
  const object = platform.registry.requireObject('automation_rule');
  const version = platform.registry.version;
  const r = await sql<Record<string, unknown>>`SELECT * FROM obj_automation_rule WHERE deleted_at IS NULL AND active = true ORDER BY run_order NULLS LAST, created_at, id`.execute(ctx.trx);
  const cache: Cache = { at: Date.now(), version, byKey: new Map(), byId: new Map() };
  for (const row of r.rows) {
    const record = rowToRecord(object.fields, row, object);
    const { rule, errors } = compileRule(record, platform.registry);
    if (!rule) {
      // Something it uses is gone (a field deleted): switch it off with the reason, once the
      // write that found it committed — the write itself goes on without the rule.
      const reason = errors.map((e) => `${e.field}: ${e.message}`).join('; ').slice(0, 500);
      ctx.uow.afterCommit(() => disableRule(platform, String(record.id), reason));
      continue;
    }
    const key = `${rule.object}:${rule.phase}`;
    cache.byKey.set(key, [...(cache.byKey.get(key) ?? []), rule]);
    cache.byId.set(rule.id, rule);
  }
  return cache;
}

async function current(ctx: TxContext): Promise<Cache> {
  const { platform } = ctx;
  const cache = caches.get(platform);
  if (cache && cache.version === platform.registry.version && Date.now() - cache.at < TTL_MS) return cache;
  // Inside a transaction the load must use it (PGlite has one session); concurrent loads each do their own.
  const fresh = await load(ctx);
  caches.set(platform, fresh);
  return fresh;
}

export async function rulesFor(ctx: TxContext, object: string, phase: Phase): Promise<CompiledRule[]> {
  return (await current(ctx)).byKey.get(`${object}:${phase}`) ?? [];
}

export async function ruleById(ctx: TxContext, id: string): Promise<CompiledRule | undefined> {
  return (await current(ctx)).byId.get(id);
}


async function disableRule(platform: Platform, id: string, reason: string): Promise<void> {
  const object = platform.registry.requireObject('automation_rule');
  await updateRecord({ ctx: { platform, actor: systemActor('workflow') }, object, id, input: { active: false }, options: { systemValues: { disabled_reason: reason } } });
  platform.logger.warn({ rule: id, reason }, 'workflow rule disabled');
}
