import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, translateDatabaseError } from '../errors.ts';

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthenticated', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 410: 'Gone', 413: 'Payload too large', 414: 'URI too long', 431: 'Request header fields too large',
  415: 'Unsupported media type', 422: 'Unprocessable content', 428: 'Precondition required', 429: 'Too many requests', 500: 'Internal server error', 503: 'Service unavailable',
};

/** Maps any error to an RFC 9457 problem document — the one place errors become HTTP. */
export function toProblem(error: unknown, request: FastifyRequest): { status: number; body: Record<string, unknown> } {
  let app = translateDatabaseError(error);
  if (!app) {
    const e = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
    if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') app = new AppError('payload_too_large', 'The request body is too large');
    else if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') app = new AppError('bad_request', 'Send JSON with Content-Type: application/json');
    else if (e?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') app = new AppError('bad_request', 'The JSON body is empty', { errors: [{ field: '', code: 'invalid_json', message: 'Send a JSON body' }] });
    else if (e?.statusCode === 400 && (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError || /JSON/.test(e.message ?? ''))) {
      app = new AppError('bad_request', 'The body is not valid JSON', { errors: [{ field: '', code: 'invalid_json', message: (e.message ?? '').slice(0, 200) }] });
    } else if (e?.statusCode === 429) app = new AppError('rate_limited', 'Too many requests; slow down and retry after the time in Retry-After');
    else if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) app = new AppError('bad_request', e.message ?? 'Bad request');
  }
  if (!app) {
    request.log.error({ err: error }, 'unhandled error');
    app = new AppError('internal', 'Something went wrong on our side; the error was logged');
  }
  const status = app.status === 415 ? 415 : app.status;
  return {
    status,
    body: {
      type: `https://meridian.dev/problems/${app.code.replace(/_/g, '-')}`,
      title: TITLES[status] ?? 'Error',
      status,
      code: app.code,
      detail: app.message,
      instance: request.url.split('?')[0],
      errors: app.errors,
      ...app.extra,
    },
  };
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toProblem(error, request);
  return reply.status(status).type('application/problem+json').send(body);
}
