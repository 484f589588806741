import { sql, type RawBuilder } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { forbidden, notFound, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { checkFolder, readSharing } from '../sharing.ts';
import { encodeArrayLiteral } from '../../../platform/query/compile.ts';
import { analyticsSettings } from '../settings.ts';
import { brokenReason, readDefinition, reportShape, type ReportDefinition } from './definition.ts';

/**
 * Saved reports and their folders (analytics' own tables). A report is private to its owner
 * unless shared with groups or roles; a folder is private or shared with everyone. Sharing shares
 * the question: whoever runs it sees only their own records and fields. Only the owner or an
 * admin changes or deletes a report or folder.
 */
export interface ReportFolder {
  id: string;
  name: string;
  ownerId: string;
  shared: boolean;
}

export interface SavedReport {
  id: string;
  name: string;
  description: string | null;
  folder: string | null;
  object: string;
  ownerId: string;
  shape: 'tabular' | 'summary' | 'matrix';
  definition: ReportDefinition;
  sharing: { groups: string[]; roles: string[] };
  /** Why the report cannot run for the reader now (a deleted or hidden field), else null. */
  broken: string | null;
  /** One of the standard reports Meridian ships (reports/standard.ts): everyone may open it, admins change it. */
  standard: boolean;
  updatedAt: string;
}

interface ReportRow {
  id: string;
  name: string;
  description: string | null;
  folder_id: string | null;
  object: string;
  owner_id: string;
  definition: ReportDefinition;
  share_groups: string[];
  share_roles: string[];
  standard: string | null;
  updated_at: Date | string;
}

const db = (ctx: RecordContext) => ctx.trx ?? ctx.platform.db;

/** Reports the actor may open: standard ones, their own, shared with one of their groups or their role; admins see all. */
function readableReports(ctx: RecordContext): RawBuilder<boolean> {
  const { actor } = ctx;
  if (actor.isAdmin) return sql<boolean>`true`;
  const groups = actor.access?.groups ?? [];
  const role = actor.access?.role ?? null;
  return sql<boolean>`(r.standard IS NOT NULL OR r.owner_id = ${actor.userId} OR r.share_groups && ${encodeArrayLiteral(groups)}::text[] OR (${role}::text IS NOT NULL AND ${role}::text = ANY(r.share_roles)))`;
}

function toReport(ctx: RecordContext, row: ReportRow): SavedReport {
  const definition = typeof row.definition === 'string' ? (JSON.parse(row.definition) as ReportDefinition) : row.definition;
  const { maxGroups } = analyticsSettings.of(ctx.platform);
  return {
    id: row.id, name: row.name, description: row.description, folder: row.folder_id, object: row.object, ownerId: row.owner_id,
    shape: reportShape(definition), definition, sharing: { groups: row.share_groups ?? [], roles: row.share_roles ?? [] },
    broken: brokenReason(ctx.actor, ctx.platform.registry, row.object, definition, maxGroups),
    standard: row.standard !== null && row.standard !== undefined,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function listReports(args: { ctx: RecordContext; folder?: string }): Promise<SavedReport[]> {
  const { ctx } = args;
  await ctx.platform.registry.ensureFresh();
  const folder = args.folder && UUID_RE.test(args.folder) ? args.folder : undefined;
  const r = await sql<ReportRow>`SELECT * FROM analytics_report r WHERE ${readableReports(ctx)} ${folder ? sql`AND r.folder_id = ${folder}` : sql``}
    ORDER BY lower(r.name), r.id LIMIT 1000`.execute(db(ctx));
  return r.rows.map((row) => toReport(ctx, row));
}

export async function loadReport(ctx: RecordContext, id: string): Promise<SavedReport> {
  if (!UUID_RE.test(id)) throw notFound('Report');
  await ctx.platform.registry.ensureFresh();
  const r = await sql<ReportRow>`SELECT * FROM analytics_report r WHERE r.id = ${id} AND ${readableReports(ctx)}`.execute(db(ctx));
  if (!r.rows[0]) throw notFound('Report');
  return toReport(ctx, r.rows[0]);
}

/**
 * When each of these reports last changed (ids that are not reports are left out): part of a
 * cached dashboard answer's key, so editing a widget's report shows on the next view.
 */
export async function reportVersions(ctx: RecordContext, ids: readonly string[]): Promise<string> {
  const valid = ids.filter((id) => UUID_RE.test(id));
  if (!valid.length) return '';
  const r = await sql<{ id: string; updated_at: Date | string }>`SELECT id, updated_at FROM analytics_report WHERE id = ANY(${valid}::uuid[]) ORDER BY id`.execute(db(ctx));
  return r.rows.map((row) => `${row.id}@${new Date(row.updated_at).toISOString()}`).join(',');
}

/**
 * A report as `ctx`'s user would see it, without asking whether it was shared with them: for a
 * schedule, whose owner chose the recipients. Sharing shares the question only, so this reveals
 * no records — the run is still the recipient's own access.
 */
export async function loadScheduledReport(ctx: RecordContext, id: string): Promise<SavedReport | null> {
  await ctx.platform.registry.ensureFresh();
  const r = await sql<ReportRow>`SELECT * FROM analytics_report r WHERE r.id = ${id}`.execute(db(ctx));
  return r.rows[0] ? toReport(ctx, r.rows[0]) : null;
}

interface ReportInput {
  name?: unknown;
  description?: unknown;
  folder?: unknown;
  object?: unknown;
  definition?: unknown;
  sharing?: unknown;
}


/** Creates or replaces a report (owner or admin); the definition is checked as the saver. */
export async function saveReport(args: { ctx: RecordContext; id?: string; input: ReportInput }): Promise<SavedReport> {
  const { ctx, input } = args;
  const existing = args.id ? await loadReport(ctx, args.id) : undefined;
  if (existing && existing.ownerId !== ctx.actor.userId && !ctx.actor.isAdmin) throw forbidden('Only the owner of a report or an admin can change it');
  const errors: FieldError[] = [];
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 120) errors.push({ field: 'name', code: 'required', message: 'A name of at most 120 characters' });
  const description = input.description === undefined || input.description === null ? null : String(input.description).slice(0, 2000);
  const objectName = existing?.object ?? input.object;
  const object = typeof objectName === 'string' ? ctx.platform.registry.getObject(objectName) : undefined;
  if (!object) throw validationFailed([{ field: 'object', code: 'unknown_object', message: 'Name the primary object of the report' }]);
  if (existing && input.object !== undefined && input.object !== existing.object) errors.push({ field: 'object', code: 'read_only', message: "A report's primary object cannot change; save a new report" });
  assertObjectPermission(ctx.actor, object, 'read');
  const sharing = readSharing(input.sharing, errors);
  const folder = await checkFolder(ctx, input.folder, errors);
  if (errors.length) throw validationFailed(errors);
  const { maxGroups } = analyticsSettings.of(ctx.platform);
  const definition = readDefinition(ctx.actor, ctx.platform.registry, object, input.definition ?? {}, maxGroups);
  const json = JSON.stringify(definition);
  if (existing) {
    await sql`UPDATE analytics_report SET name = ${name}, description = ${description}, folder_id = ${folder}, definition = ${json}::jsonb,
      share_groups = ${encodeArrayLiteral(sharing.groups)}::text[], share_roles = ${encodeArrayLiteral(sharing.roles)}::text[], updated_at = now() WHERE id = ${existing.id}`.execute(db(ctx));
    return loadReport(ctx, existing.id);
  }
  const id = uuidv7();
  await sql`INSERT INTO analytics_report (id, name, description, folder_id, owner_id, object, definition, share_groups, share_roles)
    VALUES (${id}, ${name}, ${description}, ${folder}, ${ctx.actor.userId}, ${object.apiName}, ${json}::jsonb, ${encodeArrayLiteral(sharing.groups)}::text[], ${encodeArrayLiteral(sharing.roles)}::text[])`.execute(db(ctx));
  return loadReport(ctx, id);
}

export async function deleteReport(args: { ctx: RecordContext; id: string }): Promise<void> {
  const report = await loadReport(args.ctx, args.id);
  if (report.ownerId !== args.ctx.actor.userId && !args.ctx.actor.isAdmin) throw forbidden('Only the owner of a report or an admin can delete it');
  await sql`DELETE FROM analytics_report WHERE id = ${report.id}`.execute(db(args.ctx));
}

export async function listFolders(ctx: RecordContext): Promise<ReportFolder[]> {
  const r = await sql<{ id: string; name: string; owner_id: string; shared: boolean }>`SELECT id, name, owner_id, shared FROM analytics_report_folder
    WHERE owner_id = ${ctx.actor.userId} OR shared OR ${ctx.actor.isAdmin} ORDER BY lower(name), id`.execute(db(ctx));
  return r.rows.map((f) => ({ id: f.id, name: f.name, ownerId: f.owner_id, shared: f.shared }));
}

export async function saveFolder(args: { ctx: RecordContext; id?: string; input: { name?: unknown; shared?: unknown } }): Promise<ReportFolder> {
  const { ctx, input } = args;
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 100) throw validationFailed([{ field: 'name', code: 'required', message: 'A name of at most 100 characters' }]);
  const shared = input.shared ?? false;
  if (typeof shared !== 'boolean') throw validationFailed([{ field: 'shared', code: 'type', message: 'true or false' }]);
  if (args.id) {
    const folder = (await listFolders(ctx)).find((f) => f.id === args.id);
    if (!folder) throw notFound('Folder');
    if (folder.ownerId !== ctx.actor.userId && !ctx.actor.isAdmin) throw forbidden('Only the owner of a folder or an admin can change it');
    await sql`UPDATE analytics_report_folder SET name = ${name}, shared = ${shared}, updated_at = now() WHERE id = ${folder.id}`.execute(db(ctx));
    return { ...folder, name, shared };
  }
  const id = uuidv7();
  await sql`INSERT INTO analytics_report_folder (id, name, owner_id, shared) VALUES (${id}, ${name}, ${ctx.actor.userId}, ${shared})`.execute(db(ctx));
  return { id, name, ownerId: ctx.actor.userId!, shared };
}

/** Deletes a folder; its reports stay, outside any folder. */
export async function deleteFolder(args: { ctx: RecordContext; id: string }): Promise<void> {
  const folder = (await listFolders(args.ctx)).find((f) => f.id === args.id);
  if (!folder) throw notFound('Folder');
  if (folder.ownerId !== args.ctx.actor.userId && !args.ctx.actor.isAdmin) throw forbidden('Only the owner of a folder or an admin can delete it');
  await sql`DELETE FROM analytics_report_folder WHERE id = ${folder.id}`.execute(db(args.ctx));
}
