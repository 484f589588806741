import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { sendProblem } from './problem.ts';

/**
 * Errors raised before any route runs are problem+json like every other error (issue 10 item
 * 17): a malformed % escape in the URL, a path parameter over the length limit (Fastify's
 * frameworkErrors), and a request line or headers over Node's limit (the HTTP parser's
 * clientError, answered on the raw socket since no request object exists yet).
 */
export function frameworkErrors(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) {
  const app = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? new AppError('uri_too_long', 'A path parameter is too long')
    : error.code === 'FST_ERR_BAD_URL'
      ? new AppError('bad_request', 'The URL is not valid (check its % escapes)', { errors: [{ field: 'url', code: 'invalid_url', message: 'A malformed percent-encoding' }] })
      : new AppError('bad_request', 'The request could not be routed');
  return sendProblem(app, request, reply);
}

export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy(error);
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const title = tooLarge ? 'Request header fields too large' : status === 408 ? 'Request timeout' : 'Bad request';
  const detail = tooLarge
    ? 'The request line or headers are too large; send long queries with POST /api/v1/{object}/query'
    : 'The request could not be parsed';
  const body = JSON.stringify({ type: `https://meridian.dev/problems/${tooLarge ? 'headers-too-large' : 'bad-request'}`, title, status, code: tooLarge ? 'headers_too_large' : 'bad_request', detail, errors: [] });
  socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
