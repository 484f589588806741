import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import type { ModuleMigration } from '../../platform/module.ts';
import { inTransaction, systemActor, type TxContext } from '../../platform/records/context.ts';
import { createRecord } from '../../platform/records/write.ts';
import { objectOf, tableOf } from './context.ts';
import { DEFAULT_STAGES } from './domain/stageMachine.ts';
import { createBoardTotalsTable, rebuildBoardTotals } from './queries/boardTotals.ts';
import { companyNameSql, lowerSql, phoneKeySql, webDomainSql } from './duplicates/sql.ts';

/**
 * Idempotent start-up work of the sales module: a default pipeline when there is none. One
 * transaction under an advisory lock, so two processes starting together do it once.
 */
export async function startSales(platform: Platform): Promise<void> {
  await inTransaction({ platform, actor: systemActor('system') }, async (ctx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('meridian.sales.startup'))`.execute(ctx.trx);
    await seedDefaultPipeline(ctx);
  });
}

/** The sales module's forward-only migrations (ids are stored as `sales/<id>`). */
export const salesMigrations: ModuleMigration[] = [
  {
    // IF NOT EXISTS: databases from before module migrations already have these indexes.
    id: '0001_duplicate_indexes',
    up: (trx, { registry }) => createDuplicateIndexes(trx, (object) => registry.requireObject(object).table),
  },
  {
    // The board at scale (issue 17 item 17): stage totals kept by the deal hooks, filled here
    // from the deals that exist; each column's first cards by an index instead of a sort.
    id: '0002_board_totals',
    async up(trx, { registry }) {
      const table = registry.requireObject('opportunity').table;
      await createBoardTotalsTable(trx);
      await rebuildBoardTotals(trx, table);
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_sales__${table}__stage_updated`)} ON ${sql.table(table)} (stage, updated_at DESC, id DESC) WHERE deleted_at IS NULL`.execute(trx);
    },
  },
  {
    // Issue 16 (ANL-4, the "Stage duration" report): days in the previous stage on stage changes
    // recorded before writeStageHistory set it. The column exists already — boot syncs the standard
    // tables from the definitions before module migrations run (platform/boot.ts) — and the
    // rounding is daysOf's (rules/opportunity.ts). A table update of sales' own log, not record
    // writes: nothing about the changes is new, so no history or events.
    id: '0003_stage_history_days',
    async up(trx, { registry }) {
      const table = registry.requireObject('opportunity_stage_history').table;
      await sql`UPDATE ${sql.table(table)} SET days_in_previous_stage = round(time_in_previous_stage_seconds / 86400.0, 2)
        WHERE days_in_previous_stage IS NULL AND time_in_previous_stage_seconds IS NOT NULL`.execute(trx);
    },
  },
  {
    // Issue 16 item 11: reports that filter deals by stage and reach through the account ("won
    // revenue by account industry") read this index alone instead of the deals' rows: 1,000,000
    // deals' won revenue by industry as an admin took 0.52 s from the table and 0.27 s from the
    // index on the same machine. Questions by owner, stage and month read analytics' summary.
    // Deals listed by close date or amount (the list, a dashboard's "biggest deals") read the
    // first page from an index instead of sorting every deal (0.65–0.85 s at 1,000,000).
    id: '0004_report_indexes',
    async up(trx, { registry }) {
      const table = registry.requireObject('opportunity').table;
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_sales__${table}__stage_report`)} ON ${sql.table(table)} (stage, close_date)
        INCLUDE (amount, currency, account_id, owner_id) WHERE deleted_at IS NULL`.execute(trx);
      for (const column of ['close_date', 'amount']) {
        await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_sales__${table}__${column}_id`)} ON ${sql.table(table)} (${sql.id(column)}, id) WHERE deleted_at IS NULL`.execute(trx);
      }
    },
  },
  {
    // Issue 15 item 14: a duplicate probe keeps a key's oldest few records (duplicates/rules.ts,
    // probeFirst). With the key alone indexed, a key many records share (a switchboard number
    // on 100 contacts) read and sorted all of them per probe — 1–1.5 s per import batch of 500
    // at 1,000,000 contacts. With (key, created_at, id) a probe reads its first rows in order and
    // stops. The new indexes replace the old ones: their first column serves every equality the old
    // ones did (merge's pairs, intake's account matches), and an import maintains one index per key.
    id: '0005_ranked_duplicate_indexes',
    async up(trx, { registry }) {
      for (const key of DUPLICATE_KEYS) {
        const table = registry.requireObject(key.object).table;
        await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_sales__${table}__${key.purpose}_ranked`)} ON ${sql.table(table)} (${key.expr}, created_at, id) WHERE deleted_at IS NULL`.execute(trx);
        await sql`DROP INDEX IF EXISTS ${sql.id(`ix_sales__${table}__${key.purpose}`)}`.execute(trx);
      }
    },
  },
];

const c = (name: string) => sql.ref(name);

/** The keys the duplicate rules probe by equality (duplicates/rules.ts), each built from the same SQL builder the probe uses. */
const DUPLICATE_KEYS: Array<{ object: string; purpose: string; expr: RawBuilder<unknown> }> = [
  { object: 'contact', purpose: 'email_lower', expr: lowerSql(c('email')) },
  { object: 'contact', purpose: 'phone_key', expr: phoneKeySql(c('phone')) },
  { object: 'contact', purpose: 'mobile_key', expr: phoneKeySql(c('mobile')) },
  { object: 'lead', purpose: 'email_lower', expr: lowerSql(c('email')) },
  { object: 'lead', purpose: 'phone_key', expr: phoneKeySql(c('phone')) },
  { object: 'account', purpose: 'website_domain', expr: webDomainSql(c('website')) },
  { object: 'account', purpose: 'name_normalized', expr: companyNameSql(c('name')) },
];

/**
 * Expression indexes built from the same SQL builders the duplicate queries use (duplicates/sql.ts),
 * as the first installations made them; 0005 replaces the equality ones by ranked ones.
 */
async function createDuplicateIndexes(trx: Kysely<any>, tableOfObject: (object: string) => string): Promise<void> {
  for (const key of DUPLICATE_KEYS) {
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_sales__${tableOfObject(key.object)}__${key.purpose}`)} ON ${sql.table(tableOfObject(key.object))} (${key.expr}) WHERE deleted_at IS NULL`.execute(trx);
  }
  const account = tableOfObject('account');
  await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_sales__${account}__name_trgm`)} ON ${sql.table(account)} USING gin (${c('name')} gin_trgm_ops) WHERE deleted_at IS NULL`.execute(trx);
}

/** The "New business" pipeline with the stages of the opportunity stage picklist. */
async function seedDefaultPipeline(ctx: TxContext): Promise<void> {
  const existing = await sql`SELECT 1 FROM ${tableOf(ctx, 'pipeline')} WHERE deleted_at IS NULL LIMIT 1`.execute(ctx.trx);
  if (existing.rows.length) return;
  const pipeline = await createRecord({ ctx, object: objectOf(ctx, 'pipeline'), input: { name: 'New business', is_default: true, stalled_after_days: 30 } });
  for (const s of DEFAULT_STAGES) {
    await createRecord({
      ctx,
      object: objectOf(ctx, 'pipeline_stage'),
      input: {
        name: s.name,
        pipeline: pipeline.id,
        api_value: s.api_value,
        order: s.order,
        probability: s.probability,
        forecast_category: s.forecast_category,
        is_won: s.is_won,
        is_lost: s.is_lost,
        is_partial: s.is_partial,
        required_fields: s.required_fields.join(', ') || null,
        allowed_backward: s.allowed_backward.join(', ') || null,
      },
    });
  }
}
