import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { AppError, type FieldError } from '../../errors.ts';
import { createAjv } from './ajv.ts';

/**
 * Input validation of the fixed routes. Bodies are checked strictly (no type coercion: the string
 * "true" is not a boolean; unknown properties are errors, not dropped); path and query parameters,
 * which arrive as strings, are coerced to the declared types. Every error names its field.
 */
export function installValidator(app: FastifyInstance): void {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  const cache = new WeakMap<object, Map<string, ValidateFunction>>();
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    // One compiled function per schema object and part (a schema object may serve body and query).
    const key = schema as object;
    const parts = cache.get(key) ?? new Map<string, ValidateFunction>();
    cache.set(key, parts);
    const validate = parts.get(httpPart ?? 'body') ?? ajv.compile(key);
    parts.set(httpPart ?? 'body', validate);
    return (data: unknown) => (validate(data) ? { value: data } : { error: validationError(validate.errors ?? [], httpPart ?? 'body') });
  });
}

function makeAjv(options: { coerceTypes: false | 'array' }) {
  return createAjv({ removeAdditional: false, useDefaults: true, coerceTypes: options.coerceTypes });
}

const CODES: Record<string, string> = {
  required: 'required',
  type: 'type',
  additionalProperties: 'unknown_property',
  enum: 'invalid_choice',
  const: 'invalid_choice',
  format: 'invalid_format',
  pattern: 'invalid_format',
  maxLength: 'too_long',
  minLength: 'too_short',
  maxItems: 'too_many',
  minItems: 'too_few',
  maximum: 'out_of_range',
  minimum: 'out_of_range',
  exclusiveMaximum: 'out_of_range',
  exclusiveMinimum: 'out_of_range',
  anyOf: 'invalid',
  oneOf: 'invalid',
};

/** `/records/3/name` → `records[3].name`; the missing or unknown property is appended. */
export function fieldOf(error: ErrorObject): string {
  let path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  const extra = (error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (error.params as { additionalProperty?: string }).additionalProperty;
  if (extra) path = path ? `${path}.${extra}` : extra;
  return path.slice(0, 200);
}

export function validationError(errors: ErrorObject[], part: string): AppError {
  const seen = new Set<string>();
  const fieldErrors: FieldError[] = [];
  for (const e of errors) {
    const field = fieldOf(e);
    const code = CODES[e.keyword] ?? 'invalid';
    const key = `${field}\u0000${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const message = e.keyword === 'additionalProperties' ? `Unknown property '${field.split('.').pop()}'` : e.keyword === 'required' ? 'Required' : (e.message ?? 'Invalid');
    fieldErrors.push({ field, code, message: message.slice(0, 300) });
  }
  const where = part === 'querystring' ? 'query parameters' : part === 'params' ? 'path' : part === 'headers' ? 'headers' : 'body';
  return new AppError(part === 'params' ? 'bad_request' : 'validation_failed', `The ${where} did not pass validation`, { errors: fieldErrors.slice(0, 50) });
}

export type { FastifySchema };
