import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer } from '../server.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { importSettings } from '../../src/modules/imports/settings.ts';
import { runDueDryRuns } from '../../src/modules/imports/engine/dryRun.ts';
import { waitFor } from '../events/helpers.ts';
import { columnsFor, upload, waitForStatus } from './helpers.ts';

/**
 * Issue 15 item 4: the dry run covers the whole file — a file longer than the rows tried in the
 * request goes on in the background, batch by batch in transactions rolled back — and its counts
 * are what the run then does, in-file duplicates across batches included; nothing is written;
 * cancel; a dry run whose process died resumes after its checkpoint without counting a row twice.
 */
describe('whole-file dry run', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await getTestServer();
    // Small batches and a small synchronous part: the files below run mostly in the background.
    overrideSettings(server.platform, importSettings, { batchRows: 20, dryRunRows: 20 });
  });
  afterAll(async () => {
    await server?.close();
  });

  const count = async (filter: unknown) => (await server.admin.request('POST', '/api/v1/contact/count', { body: { filter } })).body.count as number;
  const waitForDryRun = (id: string, statuses = ['completed', 'failed', 'cancelled']) => waitFor(async () => {
    const r = await server.admin.request('GET', `/api/v1/imports/${id}/dry-run`);
    return statuses.includes(r.body?.status) ? r.body : undefined;
  }, `dry run of ${id}`, 60_000, 30);

  /** 130 contacts: rows 35, 45 … 125 repeat the e-mail of the row 25 earlier (in an earlier batch), every 17th has a bad e-mail, row 7 an existing contact's. */
  function contactsFile(domain: string): string {
    const lines = ['last_name,email'];
    for (let n = 1; n <= 130; n++) {
      const email = n === 7 ? `existing@${domain}` : n % 10 === 5 && n > 30 ? `p${n - 25}@${domain}` : n % 17 === 0 ? 'not-an-email' : `p${n}@${domain}`;
      lines.push(`Person ${n},${email}`);
    }
    return lines.join('\n');
  }

  it('counts every row of a file longer than the request tries, as the run then does, writing nothing', async () => {
    const domain = 'whole-dry.example';
    expect((await server.admin.request('POST', '/api/v1/contact', { body: { last_name: 'Existing', email: `existing@${domain}` } })).status).toBe(201);
    const up = await upload(server, server.admin, 'contact', 'whole.csv', contactsFile(domain));
    const id = up.body.id;
    expect((await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { duplicates: 'skip', columns: columnsFor(up.body.headers, { last_name: 'last_name', email: 'email' }) } })).status).toBe(200);
    expect((await server.admin.request('GET', `/api/v1/imports/${id}/dry-run`)).status).toBe(404);

    const started = await server.admin.request('POST', `/api/v1/imports/${id}/dry-run`);
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe(`/api/v1/imports/${id}/dry-run`);
    expect(started.body).toMatchObject({ wholeFile: false, current: true });
    expect(started.body.rowsTried).toBe(20); // the rows tried in the request, in whole batches
    const dry = await waitForDryRun(id);
    expect(dry).toMatchObject({ status: 'completed', wholeFile: true, rowsTried: 130, totalRows: 130, progress: { fraction: 1 } });
    expect(dry.rows).toHaveLength(100);
    expect(dry.rows[6]).toMatchObject({ row: 7, outcome: 'skipped' });
    expect(dry.rows[16]).toMatchObject({ row: 17, outcome: 'rejected' });
    expect(dry.rows[34]).toMatchObject({ row: 35, outcome: 'skipped', error: expect.stringContaining('row 10') });
    // Rows 35, 45 … 125 repeat an e-mail of an earlier batch (row 10 … 100): counted as the run will.
    expect(dry.carried).toBe(10);
    expect(await count({ field: 'email', op: 'contains', value: domain })).toBe(1);
    const imports = (await sql<{ n: string }>`SELECT count(*) AS n FROM import_effect WHERE import_id = ${id}`.execute(server.platform.db)).rows[0]!;
    expect(Number(imports.n)).toBe(0);

    await server.admin.request('POST', `/api/v1/imports/${id}/start`);
    const done = await waitForStatus(server.admin, id, ['completed', 'failed']);
    expect(done.progress).toMatchObject({ rowsDone: 130, created: dry.created, updated: dry.updated, skipped: dry.skipped, rejected: dry.rejected });
    expect(dry.created + dry.skipped + dry.rejected).toBe(130);
  });

  it('counts an upsert matching the records earlier batches create as updates, like the run', async () => {
    const domain = 'upsert-dry.example';
    const lines = ['last_name,email,title'];
    for (let n = 1; n <= 60; n++) lines.push(`Person ${n},${n > 40 ? `u${n - 40}` : `u${n}`}@${domain},T${n}`);
    const up = await upload(server, server.admin, 'contact', 'upsert.csv', lines.join('\n'));
    const id = up.body.id;
    await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { mode: 'upsert', matchField: 'email', columns: columnsFor(up.body.headers, { last_name: 'last_name', email: 'email', title: 'title' }) } });
    expect((await server.admin.request('POST', `/api/v1/imports/${id}/dry-run`)).status).toBe(202);
    const dry = await waitForDryRun(id);
    expect(dry).toMatchObject({ status: 'completed', created: 40, updated: 20, rejected: 0, carried: 20 });
    await server.admin.request('POST', `/api/v1/imports/${id}/start`);
    const done = await waitForStatus(server.admin, id, ['completed', 'failed']);
    expect(done.progress).toMatchObject({ created: 40, updated: 20, rejected: 0 });
  });

  it('answers a file within the rows tried at once synchronously, and a changed option makes it stale', async () => {
    const up = await upload(server, server.admin, 'contact', 'small.csv', 'last_name,email\nA,a@small-dry.example\nB,b@small-dry.example\n');
    const id = up.body.id;
    await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { columns: columnsFor(up.body.headers, { last_name: 'last_name', email: 'email' }) } });
    const dry = await server.admin.request('POST', `/api/v1/imports/${id}/dry-run`);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ status: 'completed', wholeFile: true, rowsTried: 2, created: 2, current: true });
    await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { duplicates: 'create' } });
    expect((await server.admin.request('GET', `/api/v1/imports/${id}/dry-run`)).body).toMatchObject({ status: 'completed', current: false });
    const other = await server.createUser();
    expect((await other.request('GET', `/api/v1/imports/${id}/dry-run`)).status).toBe(404);
    expect((await other.request('POST', `/api/v1/imports/${id}/dry-run/cancel`)).status).toBe(404);
    const nothing = await server.admin.request('POST', `/api/v1/imports/${id}/dry-run/cancel`);
    expect(nothing.status).toBe(409);
    expect(nothing.headers['content-type']).toMatch(/problem\+json/);
  });

  it('cancels, and a dry run whose process died resumes after its checkpoint counting each row once', async () => {
    const domain = 'resume-dry.example';
    const up = await upload(server, server.admin, 'contact', 'resume.csv', contactsFile(domain).split('\n').concat(Array.from({ length: 270 }, (_, i) => `More ${i},m${i}@${domain}`)).join('\n'));
    const id = up.body.id;
    await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { duplicates: 'skip', columns: columnsFor(up.body.headers, { last_name: 'last_name', email: 'email' }) } });
    expect((await server.admin.request('POST', `/api/v1/imports/${id}/dry-run`)).status).toBe(202);
    const cancelled = await server.admin.request('POST', `/api/v1/imports/${id}/dry-run/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const stopped = await waitForDryRun(id);
    expect(stopped.status).toBe('cancelled');
    expect(stopped.rowsTried).toBeLessThan(400);
    expect(stopped.rowsTried % 20).toBe(0);

    // What a process killed mid-batch leaves: running, its lease run out, the checkpoint at its last saved batch.
    await sql`UPDATE import_dry_run SET status = 'running', finished_at = NULL, lease_token = gen_random_uuid(), lease_until = now() - interval '1 second' WHERE import_id = ${id}`.execute(server.platform.db);
    await runDueDryRuns(server.platform);
    const resumed = await waitForDryRun(id);
    expect(resumed).toMatchObject({ status: 'completed', rowsTried: 400 });
    expect(resumed.created + resumed.skipped + resumed.rejected).toBe(400);

    // The same file tried in one go counts the same.
    expect((await server.admin.request('POST', `/api/v1/imports/${id}/dry-run`)).status).toBe(202);
    const again = await waitForDryRun(id);
    expect(again).toMatchObject({ status: 'completed', rowsTried: 400, created: resumed.created, skipped: resumed.skipped, rejected: resumed.rejected, carried: resumed.carried });
    expect(await count({ field: 'email', op: 'contains', value: domain })).toBe(0);
  });
});
