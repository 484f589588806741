import { hasCapability } from '../../../platform/access/policy.ts';
import { AppError, forbidden } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { OVERRIDE_CREDIT_LIMIT } from '../capabilities.ts';

/**
 * Sets (amount) or clears (null) an account's credit limit override, with the reason, who and
 * when — through the record pipeline as the user (they must be able to edit the account), so the
 * account's field history is the audit trail. Needs the "Override credit limits" capability; the
 * fields are read-only to every other write.
 */
export function overrideCreditLimit(args: { ctx: RecordContext; account: string; amount: number | null; reason?: string | null; expectedVersion?: number }): Promise<ApiRecord> {
  if (!hasCapability(args.ctx.actor, OVERRIDE_CREDIT_LIMIT)) throw forbidden('Overriding a credit limit needs the "Override credit limits" permission');
  const reason = args.reason?.trim() ?? '';
  if (args.amount !== null && (!Number.isFinite(args.amount) || args.amount < 0)) {
    throw new AppError('validation_failed', 'The override is an amount of 0 or more', { errors: [{ field: 'amount', code: 'invalid_amount', message: 'Give an amount of 0 or more, or clear the override' }] });
  }
  if (!reason) throw new AppError('validation_failed', 'Say why', { errors: [{ field: 'reason', code: 'required', message: 'Give the reason for the override (it is kept in the history)' }] });
  return inTransaction(args.ctx, (ctx) => updateRecord({
    ctx, object: ctx.platform.registry.requireObject('account'), id: args.account, input: {},
    ...(args.expectedVersion !== undefined ? { expectedVersion: args.expectedVersion } : {}),
    options: {
      systemValues: {
        credit_limit_override: args.amount, credit_override_reason: args.amount === null ? `Cleared: ${reason}` : reason,
        credit_override_by: ctx.actor.userId, credit_override_at: new Date().toISOString(),
      },
    },
  }));
}
