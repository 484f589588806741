import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { systemActor } from '../../../platform/records/context.ts';
import { analyticsSettings } from '../settings.ts';
import { readDefinition } from './definition.ts';

/**
 * Standard reports (issue 16 item 6, ANL-4), shipped ready to use in the shared folder "Standard
 * reports". They are ordinary saved reports — every user runs them with their own access, and
 * they export and schedule like any other — owned by nobody, so only admins change or delete them.
 * Each is seeded once (by key): one an admin deleted stays deleted. A report whose object or
 * fields a module does not bring (no activities module: no activity reports) is left out.
 */
interface StandardReport {
  key: string;
  name: string;
  description: string;
  object: string;
  definition: Record<string, unknown>;
}

/** The owner of standard reports and their folder: no user, so only admins may change them. */
export const STANDARD_OWNER = '00000000-0000-0000-0000-000000000000';
const FOLDER_NAME = 'Standard reports';

const OPEN = { field: 'stage', op: 'nin', value: ['closed_won', 'partially_won', 'closed_lost'] };
const CLOSED = { field: 'stage', op: 'in', value: ['closed_won', 'partially_won', 'closed_lost'] };

export const STANDARD_REPORTS: StandardReport[] = [
  {
    key: 'pipeline_by_stage', name: 'Pipeline by stage', object: 'opportunity',
    description: 'Open opportunities per stage: how many and their amount (in the corporate currency).',
    definition: { filter: OPEN, groupings: { rows: ['stage'] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }], totals: true, chart: { type: 'funnel', measure: 'sum:amount' } },
  },
  {
    key: 'pipeline_by_month_and_category', name: 'Pipeline by close month and forecast category', object: 'opportunity',
    description: 'Open opportunities closing this year and next: amount per close month (rows) and forecast category (columns).',
    definition: {
      filter: { and: [OPEN, { field: 'close_date', op: 'gte', value: { relative: 'this_year' } }] },
      groupings: { rows: [{ field: 'close_date', bucket: 'month' }], column: 'forecast_category' }, measures: [{ fn: 'sum', field: 'amount' }], totals: true, chart: { type: 'stacked_bar', measure: null },
    },
  },
  {
    key: 'win_loss_by_reason', name: 'Win/loss by reason', object: 'opportunity',
    description: 'Opportunities closed this year: won, partially won and lost, with the reason for each loss; count, amount and won amount.',
    definition: {
      filter: { and: [CLOSED, { field: 'close_date', op: 'eq', value: { relative: 'this_year' } }] },
      groupings: { rows: ['stage', 'lost_reason'] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }, { fn: 'sum', field: 'won_amount' }], totals: true, chart: { type: 'bar', measure: 'count' },
    },
  },
  {
    key: 'win_rate_by_owner', name: 'Closed deals per rep this quarter', object: 'opportunity',
    description: 'Opportunities closed this quarter per owner and result: the numbers behind each rep\'s win rate.',
    definition: { filter: { and: [CLOSED, { field: 'close_date', op: 'eq', value: { relative: 'this_quarter' } }] }, groupings: { rows: ['owner'], column: 'stage' }, measures: [{ fn: 'count' }], totals: true, chart: { type: 'stacked_bar', measure: null } },
  },
  {
    key: 'leads_by_source_and_status', name: 'Leads by source and status', object: 'lead',
    description: 'Leads created in the last 90 days per source (rows) and status (columns).',
    definition: { filter: { field: 'created_at', op: 'gte', value: { relative: 'last_n_days:90' } }, groupings: { rows: ['source'], column: 'status' }, measures: [{ fn: 'count' }], totals: true, chart: { type: 'stacked_bar', measure: null } },
  },
  {
    key: 'calls_per_rep', name: 'Calls per rep, last 30 days', object: 'call',
    description: 'Calls logged in the last 30 days per owner and outcome.',
    definition: { filter: { field: 'start_at', op: 'gte', value: { relative: 'last_n_days:30' } }, groupings: { rows: ['owner'], column: 'outcome' }, measures: [{ fn: 'count' }], totals: true, chart: { type: 'stacked_bar', measure: null } },
  },
  {
    key: 'meetings_per_rep', name: 'Meetings per rep, last 30 days', object: 'meeting',
    description: 'Meetings in the last 30 days per owner and status.',
    definition: { filter: { field: 'start_at', op: 'gte', value: { relative: 'last_n_days:30' } }, groupings: { rows: ['owner'], column: 'status' }, measures: [{ fn: 'count' }], totals: true, chart: { type: 'stacked_bar', measure: null } },
  },
  {
    key: 'open_tasks_per_rep', name: 'Open tasks per rep', object: 'task',
    description: 'Tasks not completed per owner, by due month: where work piles up.',
    definition: { filter: { field: 'status', op: 'nin', value: ['completed', 'cancelled'] }, groupings: { rows: ['owner', { field: 'due_date', bucket: 'month' }] }, measures: [{ fn: 'count' }], totals: true, chart: { type: 'bar', measure: 'count' } },
  },
  {
    // The aggregate sorts a group by its value, so stages come in name order, not the pipeline's
    // (from_stage is text: a stage may since have left the pipeline). The opportunity path in the
    // filter counts only changes of deals the runner may see: stage history has its own sharing
    // setting and is owned by whoever moved the deal, and a path carries its parent's visibility.
    key: 'stage_duration', name: 'Stage duration', object: 'opportunity_stage_history',
    description: 'How long deals stayed in each stage before they moved on: average, longest and number of moves, in days (deals you can see).',
    definition: {
      filter: { and: [{ field: 'from_stage', op: 'isNull', value: false }, { field: 'opportunity.id', op: 'isNull', value: false }] },
      groupings: { rows: ['from_stage'] },
      measures: [{ fn: 'avg', field: 'days_in_previous_stage' }, { fn: 'max', field: 'days_in_previous_stage' }, { fn: 'count', field: 'days_in_previous_stage' }],
      totals: true, chart: { type: 'bar', measure: 'avg:days_in_previous_stage' },
    },
  },
  {
    key: 'accounts_untouched', name: 'Accounts not updated for a year', object: 'account',
    description: 'Accounts nobody has changed in the last 365 days, oldest first.',
    definition: { columns: ['name', 'owner', 'industry', 'updated_at'], filter: { field: 'updated_at', op: 'lt', value: { relative: 'last_n_days:365' } }, sort: 'updated_at', groupings: { rows: [] }, measures: [], totals: false, chart: { type: 'none', measure: null } },
  },
];

/** Start-up work: the standard folder once, then each standard report not seeded before. */
export async function seedStandardReports(platform: Platform): Promise<{ added: string[]; skipped: string[] }> {
  const added: string[] = [];
  const skipped: string[] = [];
  const { maxGroups } = analyticsSettings.of(platform);
  const actor = systemActor('system');
  await platform.db.transaction().execute(async (trx) => {
    // One seeding at a time across processes; the others find the keys taken.
    await sql`SELECT pg_advisory_xact_lock(hashtext('analytics.standard_reports'))`.execute(trx);
    const seeded = new Set((await sql<{ key: string }>`SELECT key FROM analytics_standard_seeded`.execute(trx)).rows.map((r) => r.key));
    const todo = STANDARD_REPORTS.filter((r) => !seeded.has(r.key));
    if (!todo.length) return;
    let folder = (await sql<{ id: string }>`SELECT id FROM analytics_report_folder WHERE owner_id = ${STANDARD_OWNER} AND name = ${FOLDER_NAME}`.execute(trx)).rows[0]?.id;
    if (!folder) {
      folder = uuidv7();
      await sql`INSERT INTO analytics_report_folder (id, name, owner_id, shared) VALUES (${folder}, ${FOLDER_NAME}, ${STANDARD_OWNER}, true)`.execute(trx);
    }
    for (const report of todo) {
      const object = platform.registry.getObject(report.object);
      let definition;
      try {
        if (!object) throw new Error(`no object ${report.object}`);
        definition = readDefinition(actor, platform.registry, object, report.definition, maxGroups);
      } catch (error) {
        // Not marked as seeded: if the module that brings its object is added later, it appears then.
        platform.logger.debug({ err: error, report: report.key }, 'standard report left out');
        skipped.push(report.key);
        continue;
      }
      await sql`INSERT INTO analytics_report (id, name, description, folder_id, owner_id, object, definition, standard)
        VALUES (${uuidv7()}, ${report.name}, ${report.description}, ${folder}, ${STANDARD_OWNER}, ${report.object}, ${JSON.stringify(definition)}::jsonb, ${report.key})`.execute(trx);
      await sql`INSERT INTO analytics_standard_seeded (key) VALUES (${report.key})`.execute(trx);
      added.push(report.key);
    }
  });
  return { added, skipped };
}
