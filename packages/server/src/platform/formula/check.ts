/**
 * Type-checks a parsed formula against the metadata: every name must be a field of the object
 * (or, through lookups, of a related object) or a known function, every operator gets operands
 * of the types it takes, and the result must fit the declared return type. Answers the typed
 * tree both back ends run, and every field it reads (for access checks and cycle detection).
 */
import type { FieldDefinition, MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import type { PathStep } from '../query/parsed.ts';
import { getReferencedObject } from '../query/field-kinds.ts';
import { formulaError } from './errors.ts';
import { parseFormula, type SyntaxNode } from './parse.ts';
import type { FieldDependency, FormulaReturnType, FormulaType, OpName, TypedNode } from './types.ts';

/**
 * How a field another formula reads is treated: the transitive fields a computed field reads,
 * or 'cycle' when following it leads back to the formula being checked.
 */
export type ComputedDependencies = (object: ObjectDefinition, field: FieldDefinition) => FieldDependency[] | 'cycle';

/** Parts of a formula with the formulas it reads compiled in place: bounds the SQL one read builds. */
export const MAX_EXPANDED_NODES = 2000;

interface CheckState {
  registry: MetadataRegistry;
  object: ObjectDefinition;
  dependencies: Map<string, FieldDependency>;
  computed: ComputedDependencies;
  sizeOf: (field: FieldDefinition) => number;
  size: number;
}

const FIELD_TYPES: Partial<Record<FieldDefinition['type'], FormulaType>> = {
  text: 'text', long_text: 'text', email: 'text', phone: 'text', url: 'text', autonumber: 'text', picklist: 'text',
  number: 'number', currency: 'number', percent: 'number',
  boolean: 'boolean', date: 'date', datetime: 'datetime',
  id: 'id', lookup: 'id', user: 'id',
};

/** The formula type of a field's values, or undefined for types formulas cannot read (multi-select picklists). */
export function formulaTypeOfField(field: FieldDefinition): FormulaType | undefined {
  return FIELD_TYPES[field.type];
}

export function returnTypeAccepts(returnType: FormulaReturnType, type: FormulaType): boolean {
  if (type === 'null') return true;
  if (returnType === 'currency' || returnType === 'percent') return type === 'number';
  return returnType === type;
}

/**
 * A value that is always null (`null`, `if(c, null, null)`) takes the type its position needs,
 * so SQL gets a typed NULL (compile.ts casts such branches).
 */
function settle(node: TypedNode, type: FormulaType): TypedNode {
  return node.type === 'null' && type !== 'null' ? ({ ...node, type } as TypedNode) : node;
}

function requireType(node: TypedNode, allowed: FormulaType[], pos: number, what: string): TypedNode {
  if (node.type === 'null') return settle(node, allowed[0]!);
  if (!allowed.includes(node.type)) formulaError(pos, `${what} takes ${allowed.join(' or ')}, not ${node.type}`, 'formula_type');
  return node;
}

/** The one type of several branches (if, case, coalesce, min, max): nulls settle to it. */
function unify(nodes: TypedNode[], positions: number[], what: string): { type: FormulaType; nodes: TypedNode[] } {
  const concrete = nodes.find((n) => n.type !== 'null')?.type ?? 'null';
  nodes.forEach((n, i) => {
    if (n.type !== 'null' && n.type !== concrete) formulaError(positions[i]!, `${what} gives ${concrete} in one branch and ${n.type} in another`, 'formula_type');
  });
  return { type: concrete, nodes: nodes.map((n) => settle(n, concrete)) };
}

function op(opName: OpName, type: FormulaType, args: TypedNode[], digits?: number): TypedNode {
  return digits === undefined ? { kind: 'op', op: opName, type, args } : { kind: 'op', op: opName, type, args, digits };
}

function addDependency(state: CheckState, dependency: FieldDependency) {
  state.dependencies.set(`${dependency.object}.${dependency.field}`, dependency);
}

function checkPath(state: CheckState, segments: string[], pos: number): TypedNode {
  const steps: PathStep[] = [];
  let current = state.object;
  for (const [i, name] of segments.entries()) {
    const field = state.registry.getField(current, name);
    if (!field) formulaError(pos, `unknown field '${name.slice(0, 64)}' on ${current.apiName}`, 'unknown_field');
    steps.push({ object: current, field });
    addDependency(state, { object: current.apiName, field: field.apiName });
    if (field.formula || field.rollup) {
      const inner = state.computed(current, field);
      if (inner === 'cycle') formulaError(pos, `'${segments.slice(0, i + 1).join('.')}' leads back to this formula`, 'formula_cycle');
      for (const dependency of inner) addDependency(state, dependency);
      state.size += state.sizeOf(field);
      if (state.size > MAX_EXPANDED_NODES) formulaError(pos, `with the formulas it reads, the formula has more than ${MAX_EXPANDED_NODES} parts`);
    }
    if (i === segments.length - 1) break;
    const target = getReferencedObject(field);
    if (!target) formulaError(pos, `'${field.apiName}' on ${current.apiName} is a ${field.type}, not a lookup; it cannot be followed`, 'invalid_path');
    const next = state.registry.getObject(target);
    if (!next) formulaError(pos, `object '${target}' referenced by '${field.apiName}' is not defined`, 'invalid_path');
    current = next;
  }
  const last = steps[steps.length - 1]!.field;
  const type = formulaTypeOfField(last);
  if (!type) formulaError(pos, `'${segments.join('.')}' is a ${last.type} field; formulas cannot read it`, 'formula_type');
  return { kind: 'field', type, path: segments.join('.'), steps };
}

const COMPARISONS: Record<string, OpName> = { '=': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
const ORDERED: FormulaType[] = ['number', 'text', 'date', 'datetime'];

function checkBinary(state: CheckState, node: Extract<SyntaxNode, { kind: 'binary' }>): TypedNode {
  let left = checkNode(state, node.left);
  let right = checkNode(state, node.right);
  const { pos } = node;
  switch (node.op) {
    case 'and':
    case 'or':
      return op(node.op, 'boolean', [requireType(left, ['boolean'], node.left.pos, `'${node.op}'`), requireType(right, ['boolean'], node.right.pos, `'${node.op}'`)]);
    case '&':
      return op('concat', 'text', [requireType(left, ['text'], node.left.pos, "'&'"), requireType(right, ['text'], node.right.pos, "'&' (use text(x) to turn a value into text)")]);
    case '*':
    case '/':
      return op(node.op === '*' ? 'mul' : 'div', 'number', [requireType(left, ['number'], node.left.pos, `'${node.op}'`), requireType(right, ['number'], node.right.pos, `'${node.op}'`)]);
    case '+':
    case '-': {
      // `null - due` is a difference of dates; a bare null elsewhere reads as a number.
      if (node.op === '-' && right.type === 'date' && (left.type === 'date' || left.type === 'null')) return op('date_diff', 'number', [settle(left, 'date'), right]);
      if (left.type === 'date') {
        right = requireType(right, ['number'], node.right.pos, `a date ${node.op}`);
        return op('date_add', 'date', [left, node.op === '-' ? op('neg', 'number', [right]) : right]);
      }
      left = requireType(left, ['number'], node.left.pos, `'${node.op}'`);
      right = requireType(right, ['number'], node.right.pos, `'${node.op}'`);
      return op(node.op === '+' ? 'add' : 'sub', 'number', [left, right]);
    }
    default: {
      const name = COMPARISONS[node.op]!;
      if (left.type !== 'null' && right.type !== 'null' && left.type !== right.type) {
        formulaError(pos, `'${node.op}' compares a ${left.type} with a ${right.type}; compare values of one type`, 'formula_type');
      }
      const { type, nodes } = unify([left, right], [node.left.pos, node.right.pos], `'${node.op}'`);
      if (name !== 'eq' && name !== 'ne' && type !== 'null' && !ORDERED.includes(type)) {
        formulaError(pos, `'${node.op}' compares numbers, texts, dates or date-times, not ${type}`, 'formula_type');
      }
      return op(name, 'boolean', nodes);
    }
  }
}

function arity(name: string, args: SyntaxNode[], min: number, max: number, pos: number) {
  if (args.length < min || args.length > max) {
    const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    formulaError(pos, `${name}() takes ${wanted} argument${min === 1 && max === 1 ? '' : 's'}, not ${args.length}`, 'formula_arity');
  }
}

const UNARY_FUNCTIONS: Record<string, { op: OpName; takes: FormulaType[]; gives: FormulaType }> = {
  abs: { op: 'abs', takes: ['number'], gives: 'number' },
  floor: { op: 'floor', takes: ['number'], gives: 'number' },
  ceil: { op: 'ceil', takes: ['number'], gives: 'number' },
  upper: { op: 'upper', takes: ['text'], gives: 'text' },
  lower: { op: 'lower', takes: ['text'], gives: 'text' },
  len: { op: 'len', takes: ['text'], gives: 'number' },
  trim: { op: 'trim', takes: ['text'], gives: 'text' },
  year: { op: 'year', takes: ['date'], gives: 'number' },
  month: { op: 'month', takes: ['date'], gives: 'number' },
  day: { op: 'day', takes: ['date'], gives: 'number' },
  datevalue: { op: 'datevalue', takes: ['datetime'], gives: 'date' },
  text: { op: 'text', takes: ['number', 'text', 'boolean', 'date', 'datetime', 'id'], gives: 'text' },
};

export const FUNCTION_NAMES = [...Object.keys(UNARY_FUNCTIONS), 'if', 'case', 'isnull', 'coalesce', 'round', 'min', 'max', 'left', 'right', 'contains', 'today', 'now'].sort();

function checkCall(state: CheckState, node: Extract<SyntaxNode, { kind: 'call' }>): TypedNode {
  const { name, pos } = node;
  const unary = UNARY_FUNCTIONS[name];
  if (unary) {
    arity(name, node.args, 1, 1, pos);
    return op(unary.op, unary.gives, [requireType(checkNode(state, node.args[0]!), unary.takes, node.args[0]!.pos, `${name}()`)]);
  }
  const args = () => node.args.map((a) => checkNode(state, a));
  const positions = node.args.map((a) => a.pos);
  switch (name) {
    case 'today':
    case 'now':
      arity(name, node.args, 0, 0, pos);
      return { kind: 'context', name, type: name === 'today' ? 'date' : 'datetime' };
    case 'if': {
      arity(name, node.args, 3, 3, pos);
      const [condition, then, otherwise] = args();
      const branches = unify([then!, otherwise!], positions.slice(1), 'if()');
      return op('if', branches.type, [requireType(condition!, ['boolean'], positions[0]!, 'the condition of if()'), ...branches.nodes]);
    }
    case 'case': {
      // case(value, match1, result1, match2, result2, …, otherwise)
      if (node.args.length < 4 || node.args.length % 2 !== 0) {
        formulaError(pos, 'case() takes a value, then pairs of match and result, then the result otherwise: case(stage, "won", 1, "lost", 0, null)', 'formula_arity');
      }
      const all = args();
      const matches = unify([all[0]!, ...all.filter((_, i) => i % 2 === 1 && i < all.length - 1)], [positions[0]!, ...positions.filter((_, i) => i % 2 === 1 && i < all.length - 1)], 'case() matching');
      const results = unify([...all.filter((_, i) => i % 2 === 0 && i > 0), all[all.length - 1]!], [...positions.filter((_, i) => i % 2 === 0 && i > 0), positions[all.length - 1]!], 'case()');
      const out: TypedNode[] = [matches.nodes[0]!];
      for (let i = 0; i < (all.length - 2) / 2; i += 1) out.push(matches.nodes[i + 1]!, results.nodes[i]!);
      out.push(results.nodes[results.nodes.length - 1]!);
      return op('case', results.type, out);
    }
    case 'isnull':
      arity(name, node.args, 1, 1, pos);
      return op('isnull', 'boolean', args());
    case 'coalesce': {
      arity(name, node.args, 2, 10, pos);
      const { type, nodes } = unify(args(), positions, 'coalesce()');
      return op('coalesce', type, nodes);
    }
    case 'min':
    case 'max': {
      arity(name, node.args, 2, 10, pos);
      const { type, nodes } = unify(args(), positions, `${name}()`);
      if (!['number', 'date', 'datetime', 'null'].includes(type)) formulaError(pos, `${name}() compares numbers, dates or date-times, not ${type}`, 'formula_type');
      return op(name, type, nodes);
    }
    case 'round': {
      arity(name, node.args, 1, 2, pos);
      const value = requireType(checkNode(state, node.args[0]!), ['number'], positions[0]!, 'round()');
      const digitsNode = node.args[1];
      let digits = 0;
      if (digitsNode) {
        if (digitsNode.kind !== 'number' || !/^\d+$/.test(digitsNode.value) || Number(digitsNode.value) > 10) {
          formulaError(digitsNode.pos, 'the decimals of round() must be a whole number from 0 to 10', 'formula_type');
        }
        digits = Number(digitsNode.value);
      }
      return op('round', 'number', [value], digits);
    }
    case 'left':
    case 'right': {
      arity(name, node.args, 2, 2, pos);
      const [text, count] = args();
      return op(name, 'text', [requireType(text!, ['text'], positions[0]!, `${name}()`), requireType(count!, ['number'], positions[1]!, `the count of ${name}()`)]);
    }
    case 'contains': {
      arity(name, node.args, 2, 2, pos);
      const [text, part] = args();
      return op('contains', 'boolean', [requireType(text!, ['text'], positions[0]!, 'contains()'), requireType(part!, ['text'], positions[1]!, 'contains()')]);
    }
    default:
      return formulaError(pos, `unknown function '${name.slice(0, 40)}'; known: ${FUNCTION_NAMES.join(', ')}`, 'unknown_function');
  }
}

function checkNode(state: CheckState, node: SyntaxNode): TypedNode {
  state.size += 1;
  switch (node.kind) {
    case 'number':
      return { kind: 'literal', type: 'number', value: node.value };
    case 'string':
      return { kind: 'literal', type: 'text', value: node.value };
    case 'boolean':
      return { kind: 'literal', type: 'boolean', value: node.value };
    case 'null':
      return { kind: 'literal', type: 'null', value: null };
    case 'path':
      return checkPath(state, node.segments, node.pos);
    case 'call':
      return checkCall(state, node);
    case 'unary': {
      const arg = checkNode(state, node.arg);
      return node.op === '-'
        ? op('neg', 'number', [requireType(arg, ['number'], node.arg.pos, "'-'")])
        : op('not', 'boolean', [requireType(arg, ['boolean'], node.arg.pos, "'not'")]);
    }
    case 'binary':
      return checkBinary(state, node);
  }
}

export interface CheckedFormula {
  tree: TypedNode;
  /** Every field read, transitively through other formulas and roll-ups. */
  dependencies: FieldDependency[];
  /** Parts, counting those of the formulas it reads (compiled in place). */
  size: number;
}

/**
 * Parses and type-checks `expression` for records of `object`; throws a 400 naming
 * `formula.expression` and the character of the first error.
 */
export function checkFormula(input: {
  expression: unknown;
  returnType: FormulaReturnType;
  object: ObjectDefinition;
  registry: MetadataRegistry;
  computed: ComputedDependencies;
  /** The expanded size of a computed field the formula reads; 0 when not known. */
  sizeOf?: (field: FieldDefinition) => number;
}): CheckedFormula {
  const syntax = parseFormula(input.expression);
  const state: CheckState = { registry: input.registry, object: input.object, dependencies: new Map(), computed: input.computed, sizeOf: input.sizeOf ?? (() => 0), size: 0 };
  const tree = checkNode(state, syntax);
  if (!returnTypeAccepts(input.returnType, tree.type)) {
    formulaError(1, `the formula gives ${tree.type} but the field's returnType is ${input.returnType}`, 'formula_type');
  }
  const settled = settle(tree, input.returnType === 'currency' || input.returnType === 'percent' ? 'number' : input.returnType);
  return { tree: settled, dependencies: [...state.dependencies.values()], size: state.size };
}
