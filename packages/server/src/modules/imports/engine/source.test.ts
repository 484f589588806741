import { describe, expect, it } from 'vitest';
import { readAhead } from './source.ts';
import type { SourceRow } from './batch.ts';

/** Batches of one row each; `reads` counts the batches produced, `closed` tells whether the source was closed. */
function source(count: number, failAt?: number) {
  const state = { reads: 0, closed: false };
  async function* batches(): AsyncGenerator<SourceRow[]> {
    try {
      for (let n = 1; n <= count; n++) {
        if (n === failAt) throw new Error(`row ${n} unreadable`);
        state.reads = n;
        yield [{ n, cells: [`row ${n}`] }];
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, batches: batches() };
}

describe('readAhead', () => {
  it('hands out every batch in order, each with the bytes read when it was complete, reading the next one meanwhile', async () => {
    const { state, batches } = source(3);
    const seen: Array<{ n: number; bytes: number; readsWhileWriting: number }> = [];
    for await (const { rows, bytes } of readAhead(batches, () => state.reads * 100)) {
      await new Promise((resolve) => setImmediate(resolve)); // the batch's statements
      seen.push({ n: rows[0]!.n, bytes, readsWhileWriting: state.reads });
    }
    expect(seen).toEqual([
      { n: 1, bytes: 100, readsWhileWriting: 2 },
      { n: 2, bytes: 200, readsWhileWriting: 3 },
      { n: 3, bytes: 300, readsWhileWriting: 3 },
    ]);
    expect(state.closed).toBe(true);
  });

  it('raises a failed read when its batch is asked for, after the batches before it', async () => {
    const { state, batches } = source(5, 3);
    const done: number[] = [];
    await expect((async () => {
      for await (const { rows } of readAhead(batches, () => 0)) done.push(rows[0]!.n);
    })()).rejects.toThrow('row 3 unreadable');
    expect(done).toEqual([1, 2]);
    expect(state.closed).toBe(true);
  });

  it('closes the source when the caller stops early (the lease lost, the import cancelled)', async () => {
    const { state, batches } = source(10);
    for await (const { rows } of readAhead(batches, () => 0)) if (rows[0]!.n === 2) break;
    expect(state.closed).toBe(true);
    expect(state.reads).toBe(3);
  });
});
