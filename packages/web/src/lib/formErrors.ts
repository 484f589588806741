import { ApiError, errorMessage } from '../api/client';

/** Where a server's field errors land in a form: per field, and what no field shows. */
export interface MappedErrors {
  fields: Record<string, string>;
  /** Errors about the whole request, or about fields this form does not show. */
  summary: string | null;
}

export interface MapErrorsOptions {
  /** The fields the form shows; errors about others join the summary. Omitted: any field. */
  fields?: readonly string[];
  /**
   * The form field a server error path belongs to. Default: the path's first segment
   * (`picklist.values[2].label` → `picklist`, `records[3].name` → `records`), also in camelCase
   * (`first_name` is found as `firstName` when the form names it so).
   */
  fieldOf?: (path: string) => string;
  /** How the summary names an error's field (e.g. its label); default: the server's path. */
  labelOf?: (path: string) => string;
}

const firstSegment = (path: string) => path.split(/[.[]/)[0] ?? '';
const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * Maps any error from a save onto a form: a problem's field errors onto the fields that show
 * them (the first message per field), everything else into one summary sentence. Pure, so every
 * form maps errors the same way and it is tested once (lib.test.ts).
 */
export function mapFormErrors(error: unknown, options: MapErrorsOptions = {}): MappedErrors {
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  const shown = (name: string) => !options.fields || options.fields.includes(name);
  if (error instanceof ApiError) {
    for (const e of error.fieldErrors()) {
      const path = e.field ?? '';
      const candidates = path ? [options.fieldOf?.(path), firstSegment(path), camel(firstSegment(path))].filter((x): x is string => !!x) : [];
      const name = candidates.find(shown);
      if (name && path) fields[name] ??= e.message;
      else rest.push(path ? `${options.labelOf?.(path) ?? path}: ${e.message}` : e.message);
    }
    if (!error.fieldErrors().length) rest.push(error.message);
  } else {
    rest.push(errorMessage(error));
  }
  return { fields, summary: rest.length ? rest.join(' ') : null };
}
