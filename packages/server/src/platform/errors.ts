/**
 * Typed errors with stable codes. Everything that reaches a client is an AppError; the HTTP
 * layer maps it to RFC 9457 problem+json in one place (http/problem.ts).
 */
export interface FieldError {
  /** API name of the field (dotted for nested input, e.g. `records[3].email`), or '' for the whole input. */
  field: string;
  code: string;
  message: string;
}

export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'version_conflict'
  | 'duplicate'
  | 'unique_violation'
  | 'referenced'
  | 'conflict'
  | 'record_locked'
  | 'link_used'
  | 'link_expired'
  | 'cursor_expired'
  | 'rule_violation'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'idempotency_mismatch'
  | 'idempotency_in_progress'
  | 'precondition_required'
  | 'unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  version_conflict: 409,
  duplicate: 409,
  unique_violation: 409,
  referenced: 409,
  conflict: 409,
  /** The record waits for an approval (modules/approvals): only admins and the approval's own steps change it. */
  record_locked: 409,
  /** A single-use link (an approval e-mail's) was used already. */
  link_used: 409,
  link_expired: 410,
  /** A changes-feed cursor older than the feed keeps (events/changes.ts): start again with a full load. */
  cursor_expired: 410,
  rule_violation: 422,
  payload_too_large: 413,
  uri_too_long: 414,
  headers_too_large: 431,
  unsupported_media_type: 415,
  rate_limited: 429,
  idempotency_mismatch: 422,
  idempotency_in_progress: 409,
  precondition_required: 428,
  internal: 500,
  /** A service Meridian depends on (e.g. the virus scanner) is down; retry later. */
  unavailable: 503,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[];
  /** Extra members for the problem document (e.g. duplicate candidates, current version). */
  readonly extra: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, options: { errors?: FieldError[]; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS[code];
    this.errors = options.errors ?? [];
    this.extra = options.extra ?? {};
  }
}

/** A write refused only by its timing (a deadlock or serialisation failure, translated or not): the same write again may pass. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AppError) return error.extra.retryable === true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

export const badRequest = (message: string, errors: FieldError[] = []) => new AppError('bad_request', message, { errors });
export const validationFailed = (errors: FieldError[], message = 'The input is not valid') =>
  new AppError('validation_failed', message, { errors });
export const notFound = (what: string) => new AppError('not_found', `${what} was not found`);
export const forbidden = (message = 'You do not have access to do this') => new AppError('forbidden', message);
export const unauthenticated = (message = 'Sign in or send a valid API token') => new AppError('unauthenticated', message);
export const ruleViolation = (errors: FieldError[], message = errors[0]?.message ?? 'A business rule refused this change') =>
  new AppError('rule_violation', message, { errors });

interface PgLikeError {
  code?: string;
  detail?: string;
  constraint?: string;
  column?: string;
  table?: string;
  message?: string;
}

/** The field a constraint error is about: its one column (`account_id` → `account`), else ''. */
function fieldOf(e: PgLikeError): string {
  const columns = (e.column ?? /Key \(([^)]+)\)=/.exec(e.detail ?? '')?.[1] ?? '').split(', ');
  const column = columns.length === 1 ? /^(?:lower\()?([a-z_][a-z0-9_]*)/.exec(columns[0]!)?.[1] : undefined;
  return column ? column.replace(/_id$/, '') : '';
}

/**
 * Translates a database error into a domain error, or returns undefined when it is not one the
 * user can act on (then it is a 500). Constraint names follow the conventions of metadata/ddl.ts.
 */
export function translateDatabaseError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  const e = error as PgLikeError;
  if (!e || typeof e.code !== 'string') return undefined;
  const field = fieldOf(e);
  // The database's detail ("Key (x)=(…) is still referenced from table …") names other records'
  // values and ids, which the caller may not be allowed to see: answers carry only the field.
  switch (e.code) {
    case '23505':
      return new AppError('unique_violation', `Another record already has this ${field || 'value'}`, {
        errors: [{ field, code: 'unique', message: 'Must be unique' }],
      });
    case '23503':
    case '23001':
      return new AppError('referenced', 'The change would break a reference between records', {
        errors: [{ field, code: 'reference', message: 'Referenced record is missing or still in use' }],
      });
    case '23502':
      return validationFailed([{ field, code: 'required', message: 'Is required' }]);
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return validationFailed([{ field, code: 'invalid', message: e.message ?? 'Invalid value' }]);
    case '40001':
    case '40P01':
      return new AppError('conflict', 'The change collided with another one; retry it', { extra: { retryable: true } });
    case '0A000':
      // A prepared statement whose columns changed under it (db/prepared.ts): it is not kept again.
      if (e.message?.includes('cached plan must not change result type')) return new AppError('conflict', 'The data model changed during the request; retry it', { extra: { retryable: true } });
      return undefined;
    default:
      return undefined;
  }
}
