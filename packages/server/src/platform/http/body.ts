import type { FastifyInstance } from 'fastify';
import { AppError, validationFailed } from '../errors.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });
const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The JSON path of the first string (value or key) holding a NUL or an unpaired surrogate. */
export function findInvalidText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return NUL.test(value) || LONE_SURROGATE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findInvalidText(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (NUL.test(k) || LONE_SURROGATE.test(k)) return here;
      const found = findInvalidText(v, here);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The one JSON body parser (issue 10 item 16): what the user sent is stored as sent or refused,
 * never changed. Bytes that are not UTF-8 are refused (a lenient decoder would store U+FFFD), so
 * are NUL characters (PostgreSQL text cannot hold them) and unpaired surrogates (not text), each
 * with the JSON path of the value; `__proto__` keys are refused as prototype poisoning.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = decoder.decode(body as Buffer);
    } catch {
      return done(new AppError('bad_request', 'The body is not valid UTF-8', { errors: [{ field: '', code: 'invalid_encoding', message: 'Send JSON encoded as UTF-8' }] }), undefined);
    }
    if (!text.trim()) return done(new AppError('bad_request', 'The JSON body is empty', { errors: [{ field: '', code: 'invalid_json', message: 'Send a JSON body' }] }), undefined);
    let value: unknown;
    try {
      value = JSON.parse(text, (key, v) => {
        if (key === '__proto__') throw new Error('__proto__ is not allowed');
        return v;
      });
    } catch (error) {
      return done(new AppError('bad_request', 'The body is not valid JSON', { errors: [{ field: '', code: 'invalid_json', message: (error as Error).message.slice(0, 200) }] }), undefined);
    }
    const bad = findInvalidText(value);
    if (bad !== undefined) return done(validationFailed([{ field: bad, code: 'invalid_characters', message: 'NUL characters and unpaired surrogates cannot be stored; remove them' }]), undefined);
    done(null, value);
  });
}
