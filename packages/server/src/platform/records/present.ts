import type { Actor } from './context.ts';
import type { MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import { readableFields } from '../access/policy.ts';

/**
 * The one presenter of record answers (issue 18): every record the record service hands out
 * carries the name of its object under this symbol (symbols never reach JSON), and every answer
 * — REST, module commands, bulk, idempotent replays — passes through presentForActor before it is
 * serialised (http/app.ts preSerialization, http/idempotency.ts), which removes the fields the
 * caller's profile hides. A route cannot forget it: records are presented wherever they sit in
 * the answer ({opportunity, project}, {data: [...]}, bulk results).
 */
export const RECORD_OBJECT = Symbol.for('meridian.recordObject');

export function markRecord<T extends object>(object: ObjectDefinition, record: T): T {
  // A plain assignment makes the same enumerable, writable, configurable property as
  // defineProperty did, at a fraction of the cost (a list page or an export marks every row).
  (record as Record<symbol, unknown>)[RECORD_OBJECT] = object.apiName;
  return record;
}

const MAX_DEPTH = 8;

export function presentForActor(registry: MetadataRegistry, actor: Actor, payload: unknown): unknown {
  // Per object, the fields the caller's profile hides. Members that are not fields (a route's
  // `isAdmin` beside the user record) are the route's own and pass.
  const hiddenOf = new Map<string, Set<string>>();
  const hidden = (name: string): Set<string> => {
    let set = hiddenOf.get(name);
    if (!set) {
      const object = registry.getObject(name);
      const readable = new Set(object ? readableFields(actor, object).map((f) => f.apiName) : []);
      set = new Set((object?.fields ?? []).map((f) => f.apiName).filter((f) => !readable.has(f)));
      hiddenOf.set(name, set);
    }
    return set;
  };
  const walk = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value; // Dates, Buffers, streams
    const name = (value as Record<symbol, unknown>)[RECORD_OBJECT];
    const drop = typeof name === 'string' ? hidden(name) : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (drop?.has(k)) continue;
      out[k] = walk(v, depth + 1);
    }
    return out;
  };
  return walk(payload, 0);
}
