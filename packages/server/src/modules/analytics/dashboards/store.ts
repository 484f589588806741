import { sql, type RawBuilder } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { AppError, forbidden, notFound, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { checkFolder, readSharing } from '../sharing.ts';
import { encodeArrayLiteral } from '../../../platform/query/compile.ts';
import { analyticsSettings } from '../settings.ts';
import { reportAggregateSpec } from '../reports/definition.ts';
import { loadReport } from '../reports/store.ts';
import { assertNoErrors, readFilters, readWidgets, type DashboardFilters, type Widget } from './definition.ts';

/**
 * Saved dashboards and the home dashboard of each profile. Sharing works like reports: a
 * dashboard is private to its owner unless shared with groups or roles (or made a profile's home),
 * and sharing shares the layout only — each viewer's widgets run with the viewer's own access.
 * Only the owner or an admin changes or deletes one; only an admin picks a profile's home.
 */
export interface Dashboard {
  id: string;
  name: string;
  description: string | null;
  folder: string | null;
  ownerId: string;
  sharing: { groups: string[]; roles: string[] };
  filters: DashboardFilters;
  widgets: Widget[];
  updatedAt: string;
}

interface DashboardRow {
  id: string;
  name: string;
  description: string | null;
  folder_id: string | null;
  owner_id: string;
  share_groups: string[];
  share_roles: string[];
  filters: DashboardFilters | string;
  widgets: Widget[] | string;
  updated_at: Date | string;
}

const db = (ctx: RecordContext) => ctx.trx ?? ctx.platform.db;
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/** Dashboards the actor may open: own, shared with a group or role of theirs, their profile's home; admins all. */
function readableDashboards(ctx: RecordContext): RawBuilder<boolean> {
  const { actor } = ctx;
  if (actor.isAdmin) return sql<boolean>`true`;
  const groups = actor.access?.groups ?? [];
  const role = actor.access?.role ?? null;
  const profile = actor.access?.profile?.name ?? null;
  return sql<boolean>`(d.owner_id = ${actor.userId} OR d.share_groups && ${encodeArrayLiteral(groups)}::text[]
    OR (${role}::text IS NOT NULL AND ${role}::text = ANY(d.share_roles))
    OR EXISTS (SELECT 1 FROM analytics_home_dashboard h WHERE h.dashboard_id = d.id AND h.profile = ${profile}::text))`;
}

function toDashboard(row: DashboardRow): Dashboard {
  return {
    id: row.id, name: row.name, description: row.description, folder: row.folder_id, ownerId: row.owner_id,
    sharing: { groups: row.share_groups ?? [], roles: row.share_roles ?? [] },
    filters: json(row.filters), widgets: json(row.widgets), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function listDashboards(args: { ctx: RecordContext; folder?: string }): Promise<Dashboard[]> {
  const { ctx } = args;
  const folder = args.folder && UUID_RE.test(args.folder) ? args.folder : undefined;
  const r = await sql<DashboardRow>`SELECT * FROM analytics_dashboard d WHERE ${readableDashboards(ctx)} ${folder ? sql`AND d.folder_id = ${folder}` : sql``}
    ORDER BY lower(d.name), d.id LIMIT 1000`.execute(db(ctx));
  return r.rows.map(toDashboard);
}

export async function loadDashboard(ctx: RecordContext, id: string): Promise<Dashboard> {
  if (!UUID_RE.test(id)) throw notFound('Dashboard');
  const r = await sql<DashboardRow>`SELECT * FROM analytics_dashboard d WHERE d.id = ${id} AND ${readableDashboards(ctx)}`.execute(db(ctx));
  if (!r.rows[0]) throw notFound('Dashboard');
  return toDashboard(r.rows[0]);
}

export interface DashboardInput {
  name?: unknown;
  description?: unknown;
  folder?: unknown;
  sharing?: unknown;
  filters?: unknown;
  widgets?: unknown;
}


/**
 * Each widget's report must exist and be readable by the saver, a KPI's measure must be one of
 * its report's measures, and a widget's date field a date of the report's object.
 */
async function checkWidgetReports(ctx: RecordContext, widgets: Widget[], errors: FieldError[]): Promise<void> {
  const { maxGroups } = analyticsSettings.of(ctx.platform);
  const registry = ctx.platform.registry;
  for (const [i, w] of widgets.entries()) {
    const at = `widgets[${i}]`;
    let report;
    try {
      report = await loadReport(ctx, w.reportId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') {
        errors.push({ field: `${at}.reportId`, code: 'not_found', message: 'No report with this id that you may open' });
        continue;
      }
      throw error;
    }
    if (report.broken) {
      errors.push({ field: `${at}.reportId`, code: 'report_broken', message: `The report cannot run: ${report.broken}` });
      continue;
    }
    const object = registry.requireObject(report.object);
    if (w.dateField) {
      const field = registry.getField(object, w.dateField);
      if (!field || !['date', 'datetime'].includes(field.type)) errors.push({ field: `${at}.dateField`, code: 'invalid', message: `Not a date field of ${object.label}` });
    }
    if (w.kpi) {
      const spec = reportAggregateSpec(ctx.actor, registry, object, { ...report.definition, groupings: { rows: [], column: null } }, maxGroups);
      if (!spec.measures.some((m) => m.key === w.kpi!.measure)) errors.push({ field: `${at}.kpi.measure`, code: 'unknown_key', message: `One of the report's measures: ${spec.measures.map((m) => m.key).join(', ')}` });
    }
    if (w.kind === 'chart' && report.shape === 'tabular') errors.push({ field: `${at}.kind`, code: 'invalid', message: 'A chart needs a report with a grouping; show a tabular report as a table or list' });
  }
}

/** Creates or replaces a dashboard (owner or admin), in one transaction. */
export async function saveDashboard(args: { ctx: RecordContext; id?: string; input: DashboardInput }): Promise<Dashboard> {
  return inTransaction(args.ctx, async (ctx) => {
    const { input } = args;
    await ctx.platform.registry.ensureFresh();
    const existing = args.id ? await loadDashboard(ctx, args.id) : undefined;
    if (existing && existing.ownerId !== ctx.actor.userId && !ctx.actor.isAdmin) throw forbidden('Only the owner of a dashboard or an admin can change it');
    const errors: FieldError[] = [];
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 120) errors.push({ field: 'name', code: 'required', message: 'A name of at most 120 characters' });
    const description = input.description === undefined || input.description === null ? null : String(input.description).slice(0, 2000);
    const sharing = readSharing(input.sharing, errors);
    const filters = readFilters(input.filters, errors);
    const widgets = readWidgets(input.widgets, errors);
    const folder = await checkFolder(ctx, input.folder, errors);
    assertNoErrors(errors);
    await checkWidgetReports(ctx, widgets, errors);
    assertNoErrors(errors);
    const values = { filters: JSON.stringify(filters), widgets: JSON.stringify(widgets), groups: encodeArrayLiteral(sharing.groups), roles: encodeArrayLiteral(sharing.roles) };
    if (existing) {
      await sql`UPDATE analytics_dashboard SET name = ${name}, description = ${description}, folder_id = ${folder}, filters = ${values.filters}::jsonb, widgets = ${values.widgets}::jsonb,
        share_groups = ${values.groups}::text[], share_roles = ${values.roles}::text[], updated_at = now() WHERE id = ${existing.id}`.execute(ctx.trx);
      return loadDashboard(ctx, existing.id);
    }
    const id = uuidv7();
    await sql`INSERT INTO analytics_dashboard (id, name, description, folder_id, owner_id, filters, widgets, share_groups, share_roles)
      VALUES (${id}, ${name}, ${description}, ${folder}, ${ctx.actor.userId}, ${values.filters}::jsonb, ${values.widgets}::jsonb, ${values.groups}::text[], ${values.roles}::text[])`.execute(ctx.trx);
    return loadDashboard(ctx, id);
  });
}

export async function deleteDashboard(args: { ctx: RecordContext; id: string }): Promise<void> {
  await inTransaction(args.ctx, async (ctx) => {
    const dashboard = await loadDashboard(ctx, args.id);
    if (dashboard.ownerId !== ctx.actor.userId && !ctx.actor.isAdmin) throw forbidden('Only the owner of a dashboard or an admin can delete it');
    await sql`DELETE FROM analytics_dashboard WHERE id = ${dashboard.id}`.execute(ctx.trx);
  });
}

/** The viewer's profile's home dashboard, or null (none set, or the viewer has no profile). */
export async function loadHomeDashboard(ctx: RecordContext): Promise<{ profile: string | null; dashboard: Dashboard | null }> {
  const profile = ctx.actor.access?.profile?.name ?? null;
  if (!profile) return { profile, dashboard: null };
  const r = await sql<{ dashboard_id: string }>`SELECT dashboard_id FROM analytics_home_dashboard WHERE profile = ${profile}`.execute(db(ctx));
  if (!r.rows[0]) return { profile, dashboard: null };
  return { profile, dashboard: await loadDashboard(ctx, r.rows[0].dashboard_id) };
}

/** Sets (or with null clears) a profile's home dashboard; admins only. */
export async function setHomeDashboard(args: { ctx: RecordContext; input: { profile?: unknown; dashboardId?: unknown } }): Promise<{ profile: string; dashboardId: string | null }> {
  const { ctx, input } = args;
  if (!ctx.actor.isAdmin) throw forbidden('Only an admin can choose the home dashboard of a profile');
  return inTransaction(ctx, async (tx) => {
    const errors: FieldError[] = [];
    const profile = typeof input.profile === 'string' ? input.profile : '';
    const known = await sql<{ name: string }>`SELECT name FROM access_profile WHERE name = ${profile}`.execute(tx.trx);
    if (!known.rows[0]) errors.push({ field: 'profile', code: 'not_found', message: 'No such profile' });
    const dashboardId = input.dashboardId ?? null;
    if (dashboardId !== null && (typeof dashboardId !== 'string' || !UUID_RE.test(dashboardId))) errors.push({ field: 'dashboardId', code: 'type', message: 'A dashboard id or null' });
    if (errors.length) throw validationFailed(errors);
    if (dashboardId === null) {
      await sql`DELETE FROM analytics_home_dashboard WHERE profile = ${profile}`.execute(tx.trx);
      return { profile, dashboardId: null };
    }
    const found = await sql<{ id: string }>`SELECT id FROM analytics_dashboard WHERE id = ${dashboardId}`.execute(tx.trx);
    if (!found.rows[0]) throw validationFailed([{ field: 'dashboardId', code: 'not_found', message: 'No such dashboard' }]);
    await sql`INSERT INTO analytics_home_dashboard (profile, dashboard_id) VALUES (${profile}, ${dashboardId})
      ON CONFLICT (profile) DO UPDATE SET dashboard_id = EXCLUDED.dashboard_id, updated_at = now()`.execute(tx.trx);
    return { profile, dashboardId: dashboardId as string };
  });
}

/** Every profile's home dashboard, for the admin's picker. */
export async function listHomeDashboards(ctx: RecordContext): Promise<Array<{ profile: string; dashboardId: string }>> {
  if (!ctx.actor.isAdmin) throw forbidden('Only an admin can see the home dashboards of profiles');
  const r = await sql<{ profile: string; dashboard_id: string }>`SELECT profile, dashboard_id FROM analytics_home_dashboard ORDER BY profile`.execute(db(ctx));
  return r.rows.map((h) => ({ profile: h.profile, dashboardId: h.dashboard_id }));
}
