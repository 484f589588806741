import { sql } from 'kysely';
import type { Platform } from '../../../../platform/kernel.ts';
import { systemActor } from '../../../../platform/records/context.ts';
import { AppError } from '../../../../platform/errors.ts';
import { expireQuote } from './answer.ts';

/**
 * Marks every sent or viewed quote past its validity date expired (the `billing.expire-quotes`
 * job, hourly). Each quote is its own transaction through expireQuote, so one that a customer
 * answers meanwhile (its status no longer allows expiring) is skipped, not an error.
 */
export async function expireQuotes(args: { platform: Platform; today?: string }): Promise<{ expired: number }> {
  const { platform } = args;
  const table = sql.table(platform.registry.requireObject('quote').table);
  const day = args.today ?? new Date().toISOString().slice(0, 10);
  const due = await sql<{ id: string }>`SELECT id FROM ${table} WHERE deleted_at IS NULL AND status IN ('sent', 'viewed') AND valid_until < ${day}::date ORDER BY valid_until, id LIMIT 10000`.execute(platform.db);
  let expired = 0;
  for (const { id } of due.rows) {
    try {
      await expireQuote({ ctx: { platform, actor: systemActor('system') }, id });
      expired += 1;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'conflict')) throw error;
    }
  }
  return { expired };
}
