import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer } from '../server.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { importSettings } from '../../src/modules/imports/settings.ts';
import { upload, waitForStatus } from './helpers.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * Issue 15 item 14: an import whose rows cannot depend on each other (insert, duplicates 'create
 * anyway', no parents created) writes two batches at a time on PostgreSQL (engine/overlap.ts).
 * The outcomes must be those of one batch at a time — the same assertions run on PGlite, where
 * batches go one by one: every row once, a failed batch leaves the checkpoint before it and
 * nothing of the batch written beside it, a unique value repeated across batches refused in the
 * later row, and a deadlock between the two batches broken without losing or doubling a row.
 */
describe(`imports writing two batches at a time (${onPostgres ? 'PostgreSQL' : 'PGlite: one at a time'})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await getTestServer();
    overrideSettings(server.platform, importSettings, { batchRows: 50 });
  });
  afterAll(async () => {
    await server?.close();
  });

  const count = async (object: string, filter: unknown) => (await server.admin.request('POST', `/api/v1/${object}/count`, { body: { filter } })).body.count as number;

  /** Uploads `lines`, maps the columns in order, starts it with 'create anyway', and waits for it to finish. */
  async function importFile(object: string, lines: string[], fields: string[]) {
    const up = await upload(server, server.admin, object, `${object}.csv`, lines.join('\n'));
    expect(up.status).toBe(201);
    const id = up.body.id as string;
    expect((await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { columns: fields.map((field) => ({ field })), duplicates: 'create' } })).status).toBe(200);
    expect((await server.admin.request('POST', `/api/v1/imports/${id}/start`)).status).toBe(200);
    return waitForStatus(server.admin, id, ['completed', 'failed', 'cancelled'], 120_000);
  }

  /** A promise with its resolver, which fails the waiting batch (not the test run) if it never comes. */
  function signal(what: string) {
    let resolve!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<void>((res, rej) => {
      resolve = () => {
        clearTimeout(timer);
        res();
      };
      timer = setTimeout(() => rej(new Error(`${what}: never happened`)), 20_000);
      timer.unref();
    });
    // Only a batch waiting on it sees the rejection (on PGlite nothing waits).
    promise.catch(() => {});
    return { promise, resolve };
  }

  it('writes every row once, the batches overlapping on PostgreSQL', async () => {
    const domain = 'overlap-all.example';
    const lines = ['last_name,email'];
    for (let n = 1; n <= 400; n++) lines.push(`All ${n},a${n}@${domain}`);
    // Batch 2 (rows 51–100) holds its transaction open until batch 3 has written its rows: only
    // possible if batch 3 runs while batch 2 is open (one batch at a time, batch 2 would wait in
    // vain and the import fail). On PGlite the probe is not armed.
    const third = signal('batch 3 began while batch 2 was open');
    let overlapped = false;
    let armed = onPostgres;
    server.platform.hooks.register('afterSave', {
      name: 'test.overlapProbe', object: 'contact', operations: ['create'],
      run: async ({ record }) => {
        if (record.last_name === 'All 101') third.resolve();
        if (record.last_name === 'All 60' && armed) {
          armed = false;
          await third.promise;
          overlapped = true;
        }
      },
    });
    const done = await importFile('contact', lines, ['last_name', 'email']);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsDone: 400, created: 400, rejected: 0 } });
    expect(await count('contact', { field: 'email', op: 'contains', value: `@${domain}` })).toBe(400);
    for (const n of [1, 50, 51, 100, 101, 400]) expect(await count('contact', { field: 'email', op: 'eq', value: `a${n}@${domain}` }), `row ${n}`).toBe(1);
    expect(overlapped).toBe(onPostgres);
  });

  it('a batch that fails leaves the checkpoint before it and nothing of the batch beside it', async () => {
    const domain = 'overlap-fail.example';
    const lines = ['last_name,email'];
    for (let n = 1; n <= 300; n++) lines.push(`Fail ${n},f${n}@${domain}`);
    // Row 130 (batch 3) always fails with an unexpected error: the import fails there. Batch 4,
    // written beside batch 3 on PostgreSQL, must not commit (the checkpoint would skip batch 3).
    const fourth = signal('batch 4 wrote its rows');
    let armed = onPostgres;
    server.platform.hooks.register('afterSave', {
      name: 'test.failingRow', object: 'contact', operations: ['create'],
      run: async ({ record }) => {
        if (record.last_name === 'Fail 151') fourth.resolve();
        if (record.last_name === 'Fail 130') {
          // The first time, only once batch 4 has written its rows (so it really was in flight).
          if (armed) {
            armed = false;
            await fourth.promise;
          }
          throw new Error('the disk is full');
        }
      },
    });
    const done = await importFile('contact', lines, ['last_name', 'email']);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/the disk is full/);
    expect(done.progress).toMatchObject({ rowsDone: 100, created: 100 });
    expect(await count('contact', { field: 'email', op: 'contains', value: `@${domain}` })).toBe(100);
    expect(await count('contact', { field: 'email', op: 'eq', value: `f151@${domain}` })).toBe(0);
  });

  it.runIf(onPostgres)('a batch failing once while the next is in flight: the import goes on one batch at a time, every row once', async () => {
    const domain = 'overlap-once.example';
    const lines = ['last_name,email'];
    for (let n = 1; n <= 300; n++) lines.push(`Once ${n},o${n}@${domain}`);
    const fourth = signal('batch 4 wrote its rows');
    let failOnce = true;
    server.platform.hooks.register('afterSave', {
      name: 'test.failingOnce', object: 'contact', operations: ['create'],
      run: async ({ record }) => {
        if (record.last_name === 'Once 151') fourth.resolve();
        if (record.last_name === 'Once 130' && failOnce) {
          failOnce = false;
          await fourth.promise;
          throw new Error('a connection reset');
        }
      },
    });
    const done = await importFile('contact', lines, ['last_name', 'email']);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsDone: 300, created: 300, rejected: 0 } });
    expect(await count('contact', { field: 'email', op: 'contains', value: `@${domain}` })).toBe(300);
    for (const n of [100, 101, 130, 150, 151, 200, 201, 300]) expect(await count('contact', { field: 'email', op: 'eq', value: `o${n}@${domain}` }), `row ${n}`).toBe(1);
  });

  it('one batch at a time, a batch refused by a deadlock is written again — its row is not refused', async () => {
    const domain = 'overlap-retry.example';
    const up = await upload(server, server.admin, 'contact', 'retry.csv', ['last_name,email', ...Array.from({ length: 120 }, (_, i) => `Retry ${i + 1},r${i + 1}@${domain}`)].join('\n'));
    const id = up.body.id as string;
    // The duplicate rules on: batches go one at a time on both databases.
    expect((await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { columns: [{ field: 'last_name' }, { field: 'email' }], duplicates: 'skip' } })).status).toBe(200);
    let collide = true;
    server.platform.hooks.register('afterSave', {
      name: 'test.deadlockOnce', object: 'contact', operations: ['create'],
      run: ({ record }) => {
        if (record.last_name !== 'Retry 70' || !collide) return;
        collide = false;
        throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      },
    });
    expect((await server.admin.request('POST', `/api/v1/imports/${id}/start`)).status).toBe(200);
    const done = await waitForStatus(server.admin, id, ['completed', 'failed', 'cancelled'], 120_000);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsDone: 120, created: 120, rejected: 0 } });
    expect(collide).toBe(false);
    expect(await count('contact', { field: 'email', op: 'contains', value: `@${domain}` })).toBe(120);
  });

  it('a unique value repeated in the next batch is refused in the later row, also when the later batch inserts it first (a deadlock, broken)', async () => {
    const lines = ['name,account_number'];
    for (let n = 1; n <= 150; n++) lines.push(`Overlap Co ${n},OVL-${n === 55 ? 45 : n}`);
    // On PostgreSQL, batch 1 waits before its insert until batch 2 has inserted OVL-45 (row 55):
    // batch 1's insert then waits on batch 2's index entry while batch 2 waits to commit after
    // batch 1 — a deadlock the database breaks; the import goes on one batch at a time, and row
    // 45 keeps OVL-45 as it would one batch at a time.
    const second = signal('batch 2 inserted OVL-45');
    let armed = onPostgres;
    server.platform.hooks.register('beforeSave', {
      name: 'test.holdFirstBatch', object: 'account', operations: ['create'],
      run: async ({ data }) => {
        if (data.name === 'Overlap Co 1' && armed) {
          armed = false;
          await second.promise;
        }
      },
    });
    server.platform.hooks.register('afterSave', {
      name: 'test.secondInserted', object: 'account', operations: ['create'],
      run: async ({ ctx, record }) => {
        if (record.name !== 'Overlap Co 55' || !onPostgres) return;
        // Batch 2 waits longer before it looks for deadlocks: batch 1, the earlier, is the one
        // PostgreSQL aborts — the hard case (its row must not be refused as a conflict).
        await sql`SET LOCAL deadlock_timeout = '4s'`.execute(ctx.trx);
        second.resolve();
      },
    });
    const done = await importFile('account', lines, ['name', 'account_number']);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsDone: 150, created: 149, rejected: 1 } });
    const owner = await server.admin.request('POST', '/api/v1/account/query', { body: { filter: { field: 'account_number', op: 'eq', value: 'OVL-45' }, fields: ['name'] } });
    expect(owner.body.data.map((a: { name: string }) => a.name)).toEqual(['Overlap Co 45']);
    expect(await count('account', { field: 'name', op: 'startsWith', value: 'Overlap Co ' })).toBe(149);
  });
});
