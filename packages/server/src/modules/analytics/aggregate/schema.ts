import { T } from '../../../platform/http/schema/common.ts';

/** The declared shape of an aggregate question; the finer checks (paths, access, types) are spec.ts's, naming the field. */
export const AggregateBody = T.Object({
  filter: T.Optional(T.Unknown({ description: 'A condition (the condition language), e.g. {"field": "stage", "op": "ne", "value": "closed_lost"}' })),
  groupBy: T.Optional(T.Array(T.Union([T.String(), T.Object({ field: T.String(), bucket: T.Optional(T.String({ description: 'day, week, month, quarter or year' })) })]), { maxItems: 4 })),
  measures: T.Optional(T.Array(T.Object({ fn: T.String({ description: 'count, count_distinct, sum, avg, min or max' }), field: T.Optional(T.String()) }), { maxItems: 10 })),
  having: T.Optional(T.Array(T.Object({ measure: T.String(), op: T.String(), value: T.Number() }), { maxItems: 10 })),
  sort: T.Optional(T.Union([T.String(), T.Array(T.String(), { maxItems: 10 })])),
  limit: T.Optional(T.Integer({ minimum: 1 })),
}, { additionalProperties: false, description: 'An aggregate question (docs/analytics.md)' });

export const AggregateColumnSchema = T.Object({
  key: T.String(), kind: T.String(), label: T.String(), type: T.String(),
  bucket: T.Optional(T.String()), fn: T.Optional(T.String()), currency: T.Optional(T.String()),
});

export const AggregateAnswerSchema = T.Object({
  columns: T.Array(AggregateColumnSchema),
  rows: T.Array(T.Object({}, { additionalProperties: true })),
  truncated: T.Boolean(),
  display: T.Record(T.String(), T.Record(T.String(), T.String())),
  warnings: T.Array(T.String()),
}, { description: 'Groups with their measures; money converted to the corporate currency' });
