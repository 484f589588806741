import { T } from '../../../platform/http/schema/common.ts';
import { BUCKETS, MEASURE_FNS } from './spec.ts';

/** The declared shape of an aggregate question; the finer checks (paths, access, types) are spec.ts's, naming the field. */
export const AggregateBody = T.Object({
  filter: T.Optional(T.Unknown({ description: 'A condition (the condition language), e.g. {"field": "stage", "op": "ne", "value": "closed_lost"}' })),
  groupBy: T.Optional(T.Array(T.Union([T.String(), T.Object({ field: T.String(), bucket: T.Optional(T.String({ description: 'day, week, month, quarter or year' })) })]), { maxItems: 4 })),
  measures: T.Optional(T.Array(T.Object({ fn: T.String({ description: 'count, count_distinct, sum, avg, min or max' }), field: T.Optional(T.String()) }), { maxItems: 10 })),
  having: T.Optional(T.Array(T.Object({ measure: T.String(), op: T.String(), value: T.Number() }), { maxItems: 10 })),
  sort: T.Optional(T.Union([T.String(), T.Array(T.String(), { maxItems: 10 })])),
  limit: T.Optional(T.Integer({ minimum: 1 })),
}, { additionalProperties: false, description: 'An aggregate question (docs/analytics.md)' });

const Literals = <L extends string>(values: readonly L[], options: { description?: string } = {}) => T.Union(values.map((v) => T.Literal(v)), options);
export const BucketSchema = Literals(BUCKETS, { description: 'A date bucket: day, week (ISO, Monday), month, quarter or year' });
export const MeasureFnSchema = Literals(MEASURE_FNS);

/**
 * A condition in the condition language. Published loosely (the OpenAPI document's
 * components.schemas.Condition is the exact one; a route schema cannot point at it and still be
 * checked by the test servers): the web app reads it as its Condition type.
 */
export const ConditionValue = T.Unknown({ description: 'A condition in the condition language (components.schemas.Condition)' });

/** Names of the records lookups point to, by object and id: `{"account": {"<id>": "Acme"}}` (only records the caller may see). */
export const DisplaySchema = T.Record(T.String(), T.Record(T.String(), T.String()), { description: 'Names of the records lookup values point to, by object and id (only records the caller may see)' });

export const AggregateColumnSchema = T.Object({
  key: T.String({ description: 'The key of the column in each row: a group\'s path (`stage`, `close_date:month`) or a measure\'s (`count`, `sum:amount`)' }),
  kind: Literals(['group', 'measure'] as const), label: T.String(),
  type: T.String({ description: 'The field type of the values; a bucket is a date (the first day of the period)' }),
  bucket: T.Optional(BucketSchema), fn: T.Optional(MeasureFnSchema),
  currency: T.Optional(T.String({ description: 'Money converted into this currency (the corporate one)' })),
}, { additionalProperties: false });

/** One group: its value under each group key and its measures under theirs — keys depend on the question, so they are open. */
export const AggregateRowSchema = T.Object({
  rolledUp: T.Optional(T.Array(T.String(), { description: 'A subtotal row: the group keys it adds up over' })),
}, { additionalProperties: true, description: 'A group\'s values under the column keys; sums and averages as decimal strings, counts as integers' });

export const AggregateAnswerSchema = T.Object({
  columns: T.Array(AggregateColumnSchema),
  rows: T.Array(AggregateRowSchema),
  truncated: T.Boolean({ description: 'A limit cut the answer short' }),
  display: DisplaySchema,
  warnings: T.Array(T.String()),
}, { additionalProperties: false, description: 'Groups with their measures; money converted to the corporate currency' });
