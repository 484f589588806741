import { sql, type Transaction } from 'kysely';
import { translateDatabaseError } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import type { Actor } from '../records/context.ts';
import { assertAdmin } from '../access/policy.ts';
import { writeAudit } from '../events/audit.ts';
import { bumpMetadataVersion } from './registry.ts';

export interface ConfigurationAudit {
  action: string;
  target: { type: string; id: string };
  details?: Record<string, unknown>;
}

/**
 * One admin change to the configuration (metadata or access): checked for admin rights, run in
 * one transaction with its audit entry (PLT-5) and a bump of the shared metadata version so every
 * process reloads, then this process's registry is reloaded before the caller's next read.
 */
export async function changeConfiguration<T>(args: {
  platform: Platform;
  actor: Actor;
  refusal: string;
  audit: ConfigurationAudit;
  /** Serialises schema changes across processes (DDL on record tables). */
  lockKey?: number;
  run: (trx: Transaction<any>) => Promise<T>;
}): Promise<T> {
  const { platform, actor, audit } = args;
  assertAdmin(actor, args.refusal);
  let result: T;
  try {
    result = await platform.db.transaction().execute(async (trx) => {
      if (args.lockKey !== undefined) await sql`SELECT pg_advisory_xact_lock(${args.lockKey})`.execute(trx);
      const r = await args.run(trx);
      await bumpMetadataVersion(trx);
      await writeAudit(trx, { action: audit.action, actor, target: audit.target, details: audit.details });
      return r;
    });
  } catch (error) {
    throw translateDatabaseError(error) ?? error;
  }
  await platform.registry.reload();
  return result;
}
