import type { FieldDefinition, MetadataRegistry, ObjectDefinition } from '../../../platform/metadata/types.ts';

/**
 * Summaries (docs/analytics.md, "Summaries"): figures of an object kept per combination of a few
 * fields with few values — a deal's owner, stage, close date, currency, pipeline, forecast
 * category — by the record pipeline as records change, so questions that group and filter only by
 * those fields read a summary of thousands of rows instead of scanning a million records
 * (issue 16 item 11). Counted per combination: the records, and per measured field the records
 * with a value and the sum of the values.
 */
export interface SummaryDeclaration {
  object: string;
  /** Fields to keep figures by (stored fields with few values each; absent ones are skipped). */
  dimensions: string[];
  /** Number or money fields whose count and sum are kept. */
  measures: string[];
}

export const SUMMARIES: SummaryDeclaration[] = [
  { object: 'opportunity', dimensions: ['owner', 'stage', 'close_date', 'currency', 'pipeline', 'forecast_category'], measures: ['amount'] },
];

export interface Summary {
  object: ObjectDefinition;
  table: string;
  dimensions: FieldDefinition[];
  measures: FieldDefinition[];
}

const STORED = (f: FieldDefinition | undefined): f is FieldDefinition => !!f && !f.formula && !f.rollup && !!f.column;

/** The declared summaries whose object exists, with their fields resolved. */
export function resolveSummaries(registry: MetadataRegistry): Summary[] {
  const out: Summary[] = [];
  for (const d of SUMMARIES) {
    const object = registry.getObject(d.object);
    if (!object) continue;
    const byName = (name: string) => object.fields.find((f) => f.apiName === name);
    out.push({
      object,
      table: `analytics_summary_${object.apiName}`,
      dimensions: d.dimensions.map(byName).filter(STORED),
      measures: d.measures.map(byName).filter(STORED),
    });
  }
  return out;
}

const resolved = new WeakMap<MetadataRegistry, Summary[]>();

/** The summary kept for an object, if any (resolved once per registry: every write of the object asks). */
export function summaryOf(registry: MetadataRegistry, object: ObjectDefinition): Summary | undefined {
  let summaries = resolved.get(registry);
  if (!summaries) resolved.set(registry, (summaries = resolveSummaries(registry)));
  return summaries.find((s) => s.object.apiName === object.apiName);
}
