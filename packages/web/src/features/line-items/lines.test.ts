import { describe, expect, it } from 'vitest';
import type { RecordData } from '../../api/types';
import { reorderTo } from './lines';

const line = (id: string, position: number | null): RecordData => ({ id, position, version: 1 } as unknown as RecordData);
const apply = (lines: RecordData[], changes: Array<{ id: string; position: number }>) => {
  const pos = new Map(lines.map((l) => [l.id, l.position as number | null]));
  for (const c of changes) pos.set(c.id, c.position);
  return [...pos.entries()].sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0)).map(([id]) => id);
};

describe('reorderTo', () => {
  const lines = [line('a', 10), line('b', 20), line('c', 30), line('d', 40)];

  it('moves a line down past others, saving only the lines whose position changes', () => {
    const changes = reorderTo(lines, 0, 2);
    expect(apply(lines, changes)).toEqual(['b', 'c', 'a', 'd']);
    expect(changes.map((c) => c.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('moves a line up to the top', () => {
    expect(apply(lines, reorderTo(lines, 3, 0))).toEqual(['d', 'a', 'b', 'c']);
  });

  it('is one step of the keyboard move', () => {
    expect(apply(lines, reorderTo(lines, 2, 1))).toEqual(['a', 'c', 'b', 'd']);
  });

  it('does nothing for a move onto itself or out of range', () => {
    expect(reorderTo(lines, 1, 1)).toEqual([]);
    expect(reorderTo(lines, 0, -1)).toEqual([]);
    expect(reorderTo(lines, 3, 4)).toEqual([]);
  });

  it('gives lines without positions distinct ones', () => {
    const loose = [line('a', null), line('b', null), line('c', null)];
    const changes = reorderTo(loose, 2, 0);
    expect(new Set(changes.map((c) => c.position)).size).toBe(3);
    expect(apply(loose, changes)).toEqual(['c', 'a', 'b']);
  });
});
