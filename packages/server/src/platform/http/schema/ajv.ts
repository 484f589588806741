import { Ajv, type Options } from 'ajv';
import ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS with a `default` export; under Node's ESM loader the default import is
// the module object or the function depending on the tool, so take whichever is callable.
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as (ajv: Ajv) => Ajv;

/** An Ajv instance with the formats the schemas use (uuid, email, date, date-time, uri). */
export function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, ...options });
  addFormats(ajv);
  return ajv;
}
