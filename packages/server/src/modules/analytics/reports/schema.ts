import { T } from '../../../platform/http/schema/common.ts';
import { AggregateColumnSchema, AggregateRowSchema, BucketSchema, ConditionValue, DisplaySchema, MeasureFnSchema } from '../aggregate/schema.ts';
import { CHART_TYPES } from './definition.ts';

/**
 * What the report routes answer, declared exactly: the test servers check every answer against
 * these and the web app's types are generated from them (docs/analytics.md). Rows are keyed by
 * the report's columns, so they stay open; every other object is closed, so a member added to an
 * answer without its schema fails the suites rather than going unpublished.
 */
export const ChartTypeSchema = T.Union(CHART_TYPES.map((t) => T.Literal(t)));
const Nullable = T.Union([T.String(), T.Null()]);

export const GroupingSchema = T.Union([
  T.String({ description: 'A field path (`stage`, `account.industry`)' }),
  T.Object({ field: T.String(), bucket: T.Optional(T.Union([BucketSchema, T.Null()])) }, { additionalProperties: false }),
]);
export const MeasureSchema = T.Object({ fn: MeasureFnSchema, field: T.Optional(Nullable) }, { additionalProperties: false });
export const ReportChartSchema = T.Object({ type: ChartTypeSchema, measure: T.Union([T.String({ description: 'A measure key (`sum:amount`)' }), T.Null()]) }, { additionalProperties: false });

/** A saved definition, as readDefinition stores it (definition.ts). */
export const ReportDefinitionSchema = T.Object({
  columns: T.Array(T.String(), { description: 'Field paths of a tabular report (`account.industry`)' }),
  children: T.Optional(T.Array(T.Object({ object: T.String(), lookup: T.String(), fn: T.String(), field: T.Optional(T.String()), filter: T.Optional(ConditionValue) }, { additionalProperties: false }), { description: 'Child aggregate columns of a tabular report' })),
  filter: ConditionValue,
  sort: Nullable,
  groupings: T.Object({ rows: T.Array(GroupingSchema), column: T.Union([GroupingSchema, T.Null()]) }, { additionalProperties: false }),
  measures: T.Array(MeasureSchema),
  totals: T.Boolean(),
  chart: ReportChartSchema,
}, { additionalProperties: false, description: '{columns, filter, sort, groupings: {rows, column}, measures, totals, chart: {type, measure}} (docs/analytics.md)' });

export const ReportShapeSchema = T.Union([T.Literal('tabular'), T.Literal('summary'), T.Literal('matrix')]);
export const SharingSchema = T.Object({ groups: T.Array(T.String()), roles: T.Array(T.String()) }, { additionalProperties: false });

export const ReportSchema = T.Object({
  id: T.String({ format: 'uuid' }), name: T.String(), description: Nullable, folder: Nullable, object: T.String(), ownerId: T.String(), shape: ReportShapeSchema,
  definition: ReportDefinitionSchema, sharing: SharingSchema, broken: Nullable, standard: T.Boolean({ description: 'Shipped with Meridian: everyone may open it, admins change it' }), updatedAt: T.String(),
}, { additionalProperties: false, description: 'A saved report; `broken` says why it cannot run for the reader (a deleted or hidden field)' });

export const FolderSchema = T.Object({ id: T.String({ format: 'uuid' }), name: T.String(), ownerId: T.String(), shared: T.Boolean() }, { additionalProperties: false });

/** A tabular column has key, label and type; a grouped one is an aggregate column (kind, bucket, fn, currency). */
const AnswerColumnSchema = T.Object({ ...AggregateColumnSchema.properties, kind: T.Optional(AggregateColumnSchema.properties.kind) }, { additionalProperties: false });

/**
 * A report's answer. One object for the three shapes (the web app shows them with one table):
 * tabular answers have `nextCursor`; summary and matrix answers have `truncated`, `warnings` and a
 * `drill` condition on each row.
 */
export const ReportAnswerSchema = T.Object({
  shape: ReportShapeSchema,
  columns: T.Array(AnswerColumnSchema),
  rows: T.Array(T.Object({ ...AggregateRowSchema.properties, drill: T.Optional(T.Unknown({ description: 'Grouped: the condition (components.schemas.Condition) listing exactly the records behind the row through POST /api/v1/{object}/query' })) }, { additionalProperties: true, description: 'Tabular: a record (id and the columns); grouped: a group\'s values and measures under the column keys' })),
  nextCursor: T.Optional(Nullable),
  truncated: T.Optional(T.Boolean()),
  display: DisplaySchema,
  warnings: T.Optional(T.Array(T.String())),
}, { additionalProperties: false, description: 'Tabular: {columns, rows, nextCursor, display}; summary/matrix: the aggregate answer, each row with its drill-down condition' });
