import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { badRequest } from '../errors.ts';

/**
 * Keyset cursors: the sort values of the last row of a page, signed so that a forged or edited
 * cursor is refused, and bound to the sort and filter they were issued for (a cursor from
 * another query is stale).
 */
interface CursorBody {
  v: unknown[];
  q: string;
}

export function encodeCursor(key: Buffer, values: unknown[], queryKey: string): string {
  const body = Buffer.from(JSON.stringify({ v: values, q: digest(key, queryKey) } satisfies CursorBody)).toString('base64url');
  return `${body}.${sign(key, body)}`;
}

export function decodeCursor(key: Buffer, cursor: string, queryKey: string, expectedLength: number): unknown[] {
  const invalid = () => badRequest('The cursor is not valid', [{ field: 'cursor', code: 'invalid_cursor', message: 'Use the nextCursor of a previous page unchanged' }]);
  if (typeof cursor !== 'string' || cursor.length > 4096) throw invalid();
  const [body, sig] = cursor.split('.');
  if (!body || !sig) throw invalid();
  const expected = Buffer.from(sign(key, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  let parsed: CursorBody;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorBody;
  } catch {
    throw invalid();
  }
  if (parsed.q !== digest(key, queryKey)) {
    throw badRequest('The cursor belongs to a different query', [
      { field: 'cursor', code: 'stale_cursor', message: 'The sort or filter changed since this cursor was issued; start from the first page' },
    ]);
  }
  if (!Array.isArray(parsed.v) || parsed.v.length !== expectedLength) throw invalid();
  return parsed.v;
}

// Importing the raw key on every HMAC showed up in list-page profiles: import it once.
const keys = new WeakMap<Buffer, KeyObject>();
function keyObject(key: Buffer): KeyObject {
  let k = keys.get(key);
  if (!k) keys.set(key, (k = createSecretKey(key)));
  return k;
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', keyObject(key)).update(body).digest('base64url').slice(0, 32);
}

function digest(key: Buffer, text: string): string {
  return createHmac('sha256', keyObject(key)).update(`q:${text}`).digest('base64url').slice(0, 16);
}
