/**
 * Defining formula and roll-up fields: validating what an admin sends with
 * `POST /metadata/objects/{object}/fields` (`{type: "formula", formula: {expression, returnType}}`
 * or `{type: "rollup", rollup: {object, lookup, aggregate, field?, filter?}}`), what is stored in
 * `meta_field.computed`, and how a stored row becomes a FieldDefinition.
 */
import { validationFailed } from '../errors.ts';
import type { FieldDefinition, FieldType, MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import { checkFormula } from './check.ts';
import { computedSize, definitionDependencies } from './computed.ts';
import { checkRollup } from './rollup.ts';
import { FORMULA_RETURN_TYPES, type FormulaDefinition, type FormulaReturnType, type RollupDefinition } from './types.ts';

export const COMPUTED_TYPES = ['formula', 'rollup'] as const;

export type StoredComputedField = { formula: FormulaDefinition } | { rollup: RollupDefinition; type: FieldType };

export function isComputedType(type: unknown): type is (typeof COMPUTED_TYPES)[number] {
  return type === 'formula' || type === 'rollup';
}

/** A computed field is read-only, never required, unique, searchable or an external id. */
export function applyComputedDefinition(def: FieldDefinition, stored: StoredComputedField): void {
  if ('formula' in stored) {
    def.formula = stored.formula;
    def.type = stored.formula.returnType;
  } else {
    def.rollup = stored.rollup;
    def.type = stored.type;
  }
  def.readOnly = true;
  def.required = false;
  def.unique = false;
  def.searchable = false;
  def.externalId = false;
}

function checkFormulaInput(input: unknown, object: ObjectDefinition, apiName: string, registry: MetadataRegistry): { type: FieldType; stored: StoredComputedField } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationFailed([{ field: 'formula', code: 'required', message: 'A formula field needs formula: {expression, returnType}' }]);
  }
  const raw = input as Record<string, unknown>;
  const extra = Object.keys(raw).find((k) => k !== 'expression' && k !== 'returnType');
  if (extra !== undefined) throw validationFailed([{ field: `formula.${extra.slice(0, 64)}`, code: 'unknown_property', message: 'Expected expression and returnType' }]);
  const returnType = raw.returnType as FormulaReturnType;
  if (!FORMULA_RETURN_TYPES.includes(returnType)) {
    throw validationFailed([{ field: 'formula.returnType', code: 'invalid_choice', message: `returnType must be one of: ${FORMULA_RETURN_TYPES.join(', ')}` }]);
  }
  checkFormula({ expression: raw.expression, returnType, object, registry, computed: definitionDependencies(object, apiName), sizeOf: computedSize });
  return { type: returnType, stored: { formula: { expression: raw.expression as string, returnType } } };
}

/**
 * Validates the definition part of a new or changed computed field named `apiName` on `object`:
 * 400 naming `formula.expression` (with the character), `formula.returnType` or `rollup.<key>`.
 */
export function checkComputedFieldInput(args: { registry: MetadataRegistry; object: ObjectDefinition; apiName: string; type: 'formula' | 'rollup'; input: Record<string, unknown> }): { type: FieldType; stored: StoredComputedField } {
  const { registry, object, apiName, input } = args;
  const other = args.type === 'formula' ? 'rollup' : 'formula';
  if (input[other] !== undefined) throw validationFailed([{ field: other, code: 'invalid', message: `Only ${other} fields have ${other}` }]);
  if (args.type === 'formula') return checkFormulaInput(input.formula, object, apiName, registry);
  const checked = checkRollup({ rollup: input.rollup, parent: object, registry, computed: definitionDependencies(object, apiName) });
  return { type: checked.type, stored: { rollup: checked.definition, type: checked.type } };
}

/** Input keys a computed field cannot take (they describe stored values). */
export const STORED_ONLY_KEYS = ['required', 'unique', 'searchable', 'externalId', 'defaultValue', 'picklist', 'lookup', 'autonumber'] as const;
