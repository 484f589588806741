import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from '../server.ts';
import { systemActor, type RecordContext } from '../../src/platform/records/context.ts';
import { createRecords } from '../../src/platform/records/write.ts';
import { AppError } from '../../src/platform/errors.ts';
import { columnsFor, upload, waitForStatus } from './helpers.ts';

/**
 * Issue 15 item 14: the duplicate rules of an import's batch are probed once per rule for all its
 * rows (sales' refuseDuplicatesOfMany through createRecords), with the decisions of the per-record
 * check: table duplicates by e-mail (any case) and by phone (any format) skip, update their match
 * or are created anyway; rows of one file duplicating each other are judged as before the batching
 * (see docs/imports.md: a clean batch is judged against the stored records only; a batch sent row
 * by row, because one of its rows was refused, sees its own earlier rows).
 */
describe('imports: duplicate rules probed per batch', () => {
  let server: TestServer;
  let ctx: RecordContext;
  const stored: Record<string, string> = {};
  beforeAll(async () => {
    server = await getTestServer();
    ctx = { platform: server.platform, actor: { ...systemActor('api'), userId: server.admin.id } };
    for (const [key, body] of Object.entries({ email: { last_name: 'Stored', email: 'stored.one@dup-batch.example' }, phone: { last_name: 'Phoned', phone: '+1 415 555 2671' } })) {
      const r = await server.admin.request('POST', '/api/v1/contact', { body });
      expect(r.status).toBe(201);
      stored[key] = r.body.id;
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  const contact = () => server.platform.registry.requireObject('contact');
  const count = async (email: string) => (await server.admin.request('POST', '/api/v1/contact/count', { body: { filter: { field: 'email', op: 'eq', value: email } } })).body.count as number;

  async function runImport(name: string, csv: string, duplicates: 'skip' | 'update' | 'create') {
    const up = await upload(server, server.admin, 'contact', name, csv);
    expect(up.status).toBe(201);
    const cols = columnsFor(up.body.headers, { email: 'email', last_name: 'last_name', phone: 'phone', title: 'title' });
    expect((await server.admin.request('PATCH', `/api/v1/imports/${up.body.id}`, { body: { duplicates, columns: cols } })).status).toBe(200);
    await server.admin.request('POST', `/api/v1/imports/${up.body.id}/start`);
    const done = await waitForStatus(server.admin, up.body.id, ['completed', 'failed']);
    const report = await server.admin.request('GET', `/api/v1/imports/${up.body.id}`);
    return { progress: done.progress, id: up.body.id as string, report: report.body };
  }

  it('answers, per record of a batch, the refusal the single check gives: e-mail in any case, phone in any format, allowDuplicate respected', async () => {
    const made = await createRecords({
      ctx, object: contact(),
      records: [{ input: { last_name: 'Fresh', email: 'fresh.a@dup-batch.example' } }, { input: { last_name: 'Fresh', email: 'fresh.b@dup-batch.example' } }],
    });
    expect(made).toHaveLength(2);

    // The second record of the batch is the first refused: its error, under its own place.
    const refused = await createRecords({
      ctx, object: contact(),
      records: [
        { input: { last_name: 'Ok', email: 'ok.1@dup-batch.example' }, options: { pathPrefix: 'records[0].' } },
        { input: { last_name: 'Twin', email: 'STORED.one@dup-batch.example' }, options: { pathPrefix: 'records[1].' } },
        { input: { last_name: 'Caller', phone: '(415) 555-2671' }, options: { pathPrefix: 'records[2].' } },
      ],
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('duplicate');
    expect((refused as AppError).errors).toEqual([expect.objectContaining({ field: 'records[1].email', code: 'duplicate' })]);
    expect((refused as AppError).extra.candidates).toEqual([expect.objectContaining({ id: stored.email, rule: 'email', score: 1 })]);
    expect(await count('ok.1@dup-batch.example')).toBe(0);

    // The phone match alone (formatted otherwise) is the refusal when the e-mail one is confirmed.
    const byPhone = await createRecords({
      ctx, object: contact(),
      records: [
        { input: { last_name: 'Twin', email: 'stored.one@dup-batch.example' }, options: { allowDuplicate: true, pathPrefix: 'records[0].' } },
        { input: { last_name: 'Caller', phone: '(415) 555-2671' }, options: { pathPrefix: 'records[1].' } },
      ],
    }).catch((e: unknown) => e);
    expect((byPhone as AppError).errors).toEqual([expect.objectContaining({ field: 'records[1].phone', code: 'duplicate' })]);
    expect((byPhone as AppError).extra.candidates).toEqual([expect.objectContaining({ id: stored.phone, rule: 'phone' })]);

    // A record refused by validation before a later duplicate is the one reported, as record by record.
    const invalid = await createRecords({
      ctx, object: contact(),
      records: [
        { input: { email: 'no.name@dup-batch.example' }, options: { pathPrefix: 'records[0].' } },
        { input: { last_name: 'Twin', email: 'stored.one@dup-batch.example' }, options: { pathPrefix: 'records[1].' } },
      ],
    }).catch((e: unknown) => e);
    expect((invalid as AppError).code).toBe('validation_failed');
    expect((invalid as AppError).errors).toEqual([expect.objectContaining({ field: 'records[0].last_name', code: 'required' })]);
  });

  it('a clean batch is judged against the stored records only: rows of the file repeating each other are all created', async () => {
    const csv = 'email,last_name,phone,title\ntwin.clean@dup-batch.example,First,,A\ntwin.clean@dup-batch.example,Second,,B\nsolo.clean@dup-batch.example,Solo,,C\n';
    const { progress } = await runImport('clean.csv', csv, 'skip');
    expect(progress).toMatchObject({ created: 3, skipped: 0, rejected: 0 });
    expect(await count('twin.clean@dup-batch.example')).toBe(2);
  });

  // Table duplicates (e-mail in another case, phone in another format) and a pair of rows of the
  // file: the refused batch goes row by row, so the second of the pair meets the first.
  const mixed = (tag: string) => [
    'email,last_name,phone,title',
    `Stored.One@dup-batch.example,Stored,,${tag}`,
    `,Phoned,(415) 555-2671,${tag}`,
    `pair.${tag}@dup-batch.example,Pair one,,${tag}`,
    `pair.${tag}@dup-batch.example,Pair two,,${tag}`,
    `fresh.${tag}@dup-batch.example,Fresh,,${tag}`,
  ].join('\n') + '\n';

  it('skip: the table duplicates and the second row of the pair are skipped, naming the match', async () => {
    const { progress } = await runImport('skip.csv', mixed('skip'), 'skip');
    expect(progress).toMatchObject({ created: 2, skipped: 3, updated: 0, rejected: 0 });
    expect(await count('pair.skip@dup-batch.example')).toBe(1);
    expect(await count('fresh.skip@dup-batch.example')).toBe(1);
    expect((await server.admin.request('GET', `/api/v1/contact/${stored.email}`)).body.title).toBeNull();
  });

  it('update: the table duplicates update their match, the second row of the pair updates the first', async () => {
    const { progress } = await runImport('update.csv', mixed('update'), 'update');
    expect(progress).toMatchObject({ created: 2, skipped: 0, updated: 3, rejected: 0 });
    expect((await server.admin.request('GET', `/api/v1/contact/${stored.email}`)).body.title).toBe('update');
    expect((await server.admin.request('GET', `/api/v1/contact/${stored.phone}`)).body.title).toBe('update');
    const pair = await server.admin.request('POST', '/api/v1/contact/query', { body: { filter: { field: 'email', op: 'eq', value: 'pair.update@dup-batch.example' } } });
    expect(pair.body.data.map((r: { last_name: string }) => r.last_name)).toEqual(['Pair two']);
  });

  it('create anyway: every row is created', async () => {
    const { progress } = await runImport('create.csv', mixed('create'), 'create');
    expect(progress).toMatchObject({ created: 5, skipped: 0, updated: 0, rejected: 0 });
    expect(await count('pair.create@dup-batch.example')).toBe(2);
  });
});
