import { sql } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import type { ModuleMigration } from '../../platform/module.ts';
import { inTransaction, systemActor, type TxContext } from '../../platform/records/context.ts';
import { createRecord } from '../../platform/records/write.ts';
import { tableOf } from './context.ts';
import { startQuoteApprovals } from './quotes/approval.ts';

/** The units a new installation starts with; admins add, rename and deactivate them as records. */
const UNITS: Array<[code: string, name: string]> = [
  ['each', 'Each'], ['h', 'Hour'], ['day', 'Day'], ['week', 'Week'], ['month', 'Month'], ['visit', 'Visit'],
  ['m', 'Metre'], ['m2', 'Square metre (m²)'], ['sqft', 'Square foot (sq ft)'], ['km', 'Kilometre'],
  ['kg', 'Kilogram'], ['lb', 'Pound'], ['l', 'Litre'], ['kwh', 'Kilowatt-hour'],
];

/**
 * Idempotent start-up work of billing: the managed list of units of measure, once, when there is
 * none (so a unit an admin deleted stays deleted). Under an advisory lock, like sales.
 */
export async function startBilling(platform: Platform): Promise<void> {
  await inTransaction({ platform, actor: systemActor('system') }, async (ctx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('meridian.billing.startup'))`.execute(ctx.trx);
    await seedUnits(ctx);
  });
  await startQuoteApprovals(platform);
}

async function seedUnits(ctx: TxContext): Promise<void> {
  const any = await sql`SELECT 1 FROM ${tableOf(ctx, 'unit_of_measure')} LIMIT 1`.execute(ctx.trx);
  if (any.rows.length) return;
  const object = ctx.platform.registry.requireObject('unit_of_measure');
  for (const [code, name] of UNITS) await createRecord({ ctx, object, input: { code, name } });
}

/** Billing's forward-only migrations (ids are stored as `billing/<id>`). */
export const billingMigrations: ModuleMigration[] = [
  {
    // The lookups price resolution and conversion make, and one live rate per date and pair.
    id: '0001_price_and_rate_indexes',
    async up(trx, { registry }) {
      const entries = sql.table(registry.requireObject('price_book_entry').table);
      const rates = sql.table(registry.requireObject('exchange_rate').table);
      await sql`CREATE INDEX IF NOT EXISTS ix_billing__entry_lookup ON ${entries} (price_book_id, product_id, unit_of_measure_id) WHERE deleted_at IS NULL AND active`.execute(trx);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_billing__rate_per_day ON ${rates} (from_currency, to_currency, rate_date) WHERE deleted_at IS NULL`.execute(trx);
    },
  },
];
