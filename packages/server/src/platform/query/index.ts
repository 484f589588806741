/** The condition language: parse untrusted JSON, then compile to SQL or evaluate in memory. */
export { parseCondition, MAX_CONDITION_DEPTH, MAX_CONDITION_NODES, MAX_PATH_DEPTH } from './parse.ts';
export { compileCondition, type PathVisibility } from './compile.ts';
export { evaluateCondition } from './evaluate.ts';
export { prefetchPathRecords, type LoadRecords } from './prefetch.ts';
export { resolvePeriod, assertConditionContext, RELATIVE_DATE_NAMES } from './relative-dates.ts';
export { MAX_LIST_ITEMS } from './parse-value.ts';
export { conditionFields } from './condition-fields.ts';
export type { Condition, LeafCondition, Operator } from './types.ts';
export type * from './parsed.ts';

