/**
 * Validates an untrusted condition (it arrives straight from a `filter` query parameter) against
 * the metadata and turns it into a ParsedCondition: paths resolved to field definitions, values
 * coerced, and negations pushed down to the leaves.
 */
import type { MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import { OPERATORS, type Operator } from './types.ts';
import type { LeafOperator, ParsedCondition, ParsedLeaf, PathStep } from './parsed.ts';
import { extendLocation, isPlainObject, quoteInput, throwFilterError, type InputLocation } from './filter-error.ts';
import { getReferencedObject, getValueKind, listAllowedOperators } from './field-kinds.ts';
import { coerceLeafValue } from './parse-value.ts';

export const MAX_CONDITION_NODES = 200;
export const MAX_CONDITION_DEPTH = 12;
export const MAX_PATH_DEPTH = 4;
const MAX_FIELD_LENGTH = 400;

interface ParseState {
  registry: MetadataRegistry;
  nodes: number;
}

const LEAF_KEYS = new Set(['field', 'op', 'value']);
const GROUP_KEYS = ['and', 'or', 'not'] as const;

/** `ne`, `nin` are the negations of `eq`, `in`; the parsed tree only keeps the positive ones. */
const POSITIVE: Partial<Record<Operator, LeafOperator>> = { ne: 'eq', nin: 'in' };

function resolvePath(state: ParseState, object: ObjectDefinition, field: unknown, location: InputLocation): PathStep[] {
  if (typeof field !== 'string' || field.length === 0 || field.length > MAX_FIELD_LENGTH) {
    throwFilterError(location, `expected a field name or a dotted path of at most ${MAX_FIELD_LENGTH} characters`);
  }
  const segments = field.split('.');
  if (segments.length > MAX_PATH_DEPTH) {
    throwFilterError(location, `path ${quoteInput(field)} is deeper than ${MAX_PATH_DEPTH} fields`);
  }
  const steps: PathStep[] = [];
  let current = object;
  for (const [i, segment] of segments.entries()) {
    const definition = state.registry.getField(current, segment);
    if (!definition) throwFilterError(location, `unknown field ${quoteInput(segment)} on ${current.apiName}`);
    steps.push({ object: current, field: definition });
    if (i === segments.length - 1) break;
    const target = getReferencedObject(definition);
    if (!target) {
      throwFilterError(location, `field '${definition.apiName}' on ${current.apiName} is a ${definition.type}, not a lookup; it cannot be followed`);
    }
    const next = state.registry.getObject(target);
    if (!next) throwFilterError(location, `object '${target}' referenced by '${definition.apiName}' on ${current.apiName} is not defined`);
    current = next;
  }
  return steps;
}

function parseLeaf(state: ParseState, object: ObjectDefinition, node: Record<string, unknown>, location: InputLocation, negated: boolean): ParsedLeaf {
  const unknown = Object.keys(node).find((key) => !LEAF_KEYS.has(key));
  if (unknown !== undefined) {
    throwFilterError(location, `unknown key ${quoteInput(unknown)}; expected 'and', 'or', 'not' or a leaf {field, op, value}`);
  }
  if (!Object.hasOwn(node, 'field')) throwFilterError(location, `a leaf needs 'field', 'op' and usually 'value'`);
  const steps = resolvePath(state, object, node.field, extendLocation(location, '.field'));
  const field = steps[steps.length - 1].field;
  const op = node.op;
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) {
    throwFilterError(extendLocation(location, '.op'), `unknown operator ${quoteInput(op)}; expected one of ${OPERATORS.join(', ')}`);
  }
  const allowed = listAllowedOperators(field.type);
  if (!allowed.includes(op as Operator)) {
    throwFilterError(
      extendLocation(location, '.op'),
      `operator '${op}' is not allowed for field '${field.apiName}' (${field.type}); allowed: ${allowed.join(', ')}`,
    );
  }
  const valueKind = getValueKind(field.type);
  const { value, invert } = coerceLeafValue({
    location: extendLocation(location, '.value'),
    field,
    kind: valueKind,
    op: op as Operator,
    raw: node.value,
    hasValue: Object.hasOwn(node, 'value'),
  });
  const positive = POSITIVE[op as Operator] ?? (op as LeafOperator);
  const flips = Number(positive !== op) + Number(invert) + Number(negated);
  return { kind: 'leaf', path: node.field as string, steps, field, valueKind, op: positive, value, negated: flips % 2 === 1 };
}

function parseNode(
  state: ParseState,
  object: ObjectDefinition,
  node: unknown,
  location: InputLocation,
  depth: number,
  negated: boolean,
): ParsedCondition {
  if (depth > MAX_CONDITION_DEPTH) throwFilterError(location, `conditions nest deeper than ${MAX_CONDITION_DEPTH} levels`);
  state.nodes += 1;
  if (state.nodes > MAX_CONDITION_NODES) throwFilterError(location, `the condition has more than ${MAX_CONDITION_NODES} nodes`);
  if (!isPlainObject(node)) throwFilterError(location, `expected an object: {and: [...]}, {or: [...]}, {not: ...} or {field, op, value}`);
  const group = GROUP_KEYS.find((key) => Object.hasOwn(node, key));
  if (group === undefined) return parseLeaf(state, object, node, location, negated);
  const extra = Object.keys(node).find((key) => key !== group);
  if (extra !== undefined) throwFilterError(location, `unknown key ${quoteInput(extra)} next to '${group}'; use one key per node`);
  const inner = node[group];
  if (group === 'not') return parseNode(state, object, inner, extendLocation(location, '.not'), depth + 1, !negated);
  if (!Array.isArray(inner)) throwFilterError(extendLocation(location, `.${group}`), 'expected an array of conditions');
  if (inner.length > MAX_CONDITION_NODES) throwFilterError(location, `the condition has more than ${MAX_CONDITION_NODES} nodes`);
  const children = inner.map((child, i) => parseNode(state, object, child, extendLocation(location, `.${group}[${i}]`), depth + 1, negated));
  // De Morgan: not(and) is or(not), not(or) is and(not).
  const kind = (group === 'and') !== negated ? 'and' : 'or';
  return { kind, children };
}

/**
 * Parses an untrusted condition for records of `object`. Throws validation_failed with one
 * FieldError { field: source, code: 'invalid_filter' } whose message names the offending path.
 */
export function parseCondition(input: {
  input: unknown;
  object: ObjectDefinition | string;
  registry: MetadataRegistry;
  /** FieldError.field and message prefix; validation rules pass e.g. 'condition'. */
  source?: string;
}): ParsedCondition {
  const source = input.source ?? 'filter';
  const object = typeof input.object === 'string' ? input.registry.requireObject(input.object) : input.object;
  const state: ParseState = { registry: input.registry, nodes: 0 };
  return parseNode(state, object, input.input, { source, path: source }, 1, false);
}
