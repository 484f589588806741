import { sql } from 'kysely';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import type { RecordContext } from '../../platform/records/context.ts';

export function objectOf(ctx: RecordContext, apiName: string): ObjectDefinition {
  return ctx.platform.registry.requireObject(apiName);
}

export function tableOf(ctx: RecordContext, apiName: string) {
  return sql.table(objectOf(ctx, apiName).table);
}
