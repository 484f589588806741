import { describe, expect, it } from 'vitest';
import { createIdGenerator, uuidv7 } from './ids.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('uuidv7', () => {
  it('is a version 7, variant 10 UUID carrying the current Unix milliseconds', () => {
    const before = Date.now();
    const id = uuidv7();
    expect(id).toMatch(V7);
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('increases strictly over 200,000 ids (many within one millisecond), all distinct', () => {
    let previous = uuidv7();
    const seen = new Set([previous]);
    for (let i = 0; i < 200_000; i++) {
      const id = uuidv7();
      if (!(id > previous)) throw new Error(`${id} does not follow ${previous}`);
      seen.add(id);
      previous = id;
    }
    expect(seen.size).toBe(200_001);
  });

  it('keeps increasing when the clock steps back, and follows the clock again once it catches up', () => {
    let now = 1_800_000_000_000;
    const next = createIdGenerator(() => now);
    const a = next();
    now -= 5_000;
    const b = next();
    expect(b > a).toBe(true);
    expect(msOf(b)).toBe(1_800_000_000_000);
    now = 1_800_000_000_001;
    const c = next();
    expect(c > b).toBe(true);
    expect(msOf(c)).toBe(1_800_000_000_001);
  });

  it('orders as its milliseconds do, across the whole 48-bit range', () => {
    const at = [0, 1, 2 ** 16, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, 2 ** 48 - 1];
    const ids = at.map((ms) => createIdGenerator(() => ms)());
    for (const id of ids) expect(id).toMatch(V7);
    expect(ids.map(msOf)).toEqual(at);
    expect([...ids].sort()).toEqual(ids);
  });
});
