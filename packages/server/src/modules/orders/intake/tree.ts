/**
 * Navigation over the plain trees the XML and JSON readers produce: objects, arrays and strings
 * (JSON numbers and booleans arrive as their source text; XML attributes are keys `@name`, an
 * element's text beside attributes or children is `#text`). Paths are dotted (`order.items`),
 * with `[n]` indexes (`items[0].sku`) and `@attr` for XML attributes (`Money.@currency`).
 * Wherever a path meets an array it continues into every element, and a single value where an
 * array is expected counts as an array of one — XML cannot tell one repeated element from one.
 */

export type TreeValue = string | TreeValue[] | { [key: string]: TreeValue };
export type TreeObject = { [key: string]: TreeValue };

export interface PathSegment {
  /** Empty only for a leading bare index (`[0].id` on a JSON array). */
  key: string;
  indexes: number[];
}

const SEGMENT = /^([^.[\]]*)((?:\[\d{1,6}\])*)$/;

/** Splits a path into segments, or returns a message saying what is wrong with it. */
export function parsePath(path: string): PathSegment[] | string {
  if (typeof path !== 'string' || path.trim() === '') return 'is empty';
  if (path.length > 500) return 'is longer than 500 characters';
  const parts = path.split('.');
  if (parts.length > 32) return 'has more than 32 segments';
  const segments: PathSegment[] = [];
  for (const [i, part] of parts.entries()) {
    const m = SEGMENT.exec(part);
    if (!m) return `has an invalid segment '${part}' (use name, name[0] or @attribute)`;
    const key = m[1];
    const indexes = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    if (key === '' && (i > 0 || indexes.length === 0)) return `has an empty segment`;
    if (key !== key.trim()) return `has a segment with surrounding spaces '${part}'`;
    if (key.startsWith('@') && (i !== parts.length - 1 || indexes.length > 0 || key.length === 1)) {
      return `uses '${part}' where only the last segment may be an @attribute`;
    }
    segments.push({ key, indexes });
  }
  return segments;
}

function isObject(v: TreeValue | undefined): v is TreeObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asList(v: TreeValue): TreeValue[] {
  return Array.isArray(v) ? v : [v];
}

/** Every value a path reaches from `root`, arrays flattened, in document order. */
export function select(root: TreeValue | undefined, path: string | PathSegment[]): TreeValue[] {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  if (typeof segments === 'string' || root === undefined) return [];
  let current: TreeValue[] = [root];
  for (const { key, indexes } of segments) {
    const next: TreeValue[] = [];
    for (const value of current) {
      let reached: TreeValue | undefined = value;
      if (key !== '') {
        const holders = asList(value).filter(isObject);
        const found = holders.filter((o) => Object.hasOwn(o, key)).map((o) => o[key]);
        if (found.length === 0) continue;
        reached = found.length === 1 ? found[0] : found.flatMap(asList);
      }
      for (const index of indexes) {
        if (reached === undefined) break;
        reached = asList(reached)[index];
      }
      if (reached !== undefined) next.push(...asList(reached));
    }
    current = next;
  }
  return current;
}

/** The text of one value: a string trimmed, an element's `#text`; undefined when empty or not text. */
export function textOf(value: TreeValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return textOf(value[0]);
  const raw = typeof value === 'string' ? value : typeof value['#text'] === 'string' ? value['#text'] : undefined;
  const text = raw?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** The first non-empty text a path reaches. */
export function firstText(root: TreeValue | undefined, path: string): string | undefined {
  for (const value of select(root, path)) {
    const text = textOf(value);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Every non-empty text a path reaches, joined (street lines). */
export function joinedText(root: TreeValue | undefined, path: string, separator = '\n'): string | undefined {
  const texts = select(root, path).map(textOf).filter((t): t is string => t !== undefined);
  return texts.length ? texts.join(separator) : undefined;
}

/** The date part of an ISO date or date-time as sent (`2024-03-12T10:15:00-08:00` → `2024-03-12`, the sender's own calendar day). */
export function datePart(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(value);
  return m ? m[1] : value;
}
