import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { getTestServer, type TestServer } from '../server.ts';
import { columnsFor, upload, waitForStatus } from './helpers.ts';

/**
 * Issue 15 items 1–5: upload with detection, mapping suggestions and reuse, per-type parsing in
 * a locale, lookups with parents created, dry run writing nothing, the background run through
 * the record pipeline, the error report and undo; update/upsert and the duplicate rules.
 */
describe('imports', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await getTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const count = async (object: string, filter: unknown) => {
    const r = await server.admin.request('POST', `/api/v1/${object}/count`, { body: { filter } });
    return r.body.count as number;
  };

  it('imports contacts with their accounts from a Windows-1252, semicolon CSV: detection, suggestions, dry run, run, error report, undo', async () => {
    const csv = [
      'First Name;Last Name;E-mail Address;Company;Mobile Phone;Birthday;Notes',
      'Zoë;Müller;zoe.mueller@import-one.example;Ïmport Öne GmbH;+49 30 1234;31/12/1980;"Likes ""quotes""; and semicolons"',
      'Jean;Dupont;jean@import-one.example;Ïmport Öne GmbH;;01/02/1975;',
      'Ana;;ana@import-two.example;Import Two SA;;;no last name',
      'Bob;Stone;not-an-email;Import Two SA;;;',
      'Eve;Late;eve@import-two.example;Import Two SA;;29/02/2023;bad date',
    ].join('\r\n');
    const up = await upload(server, server.admin, 'contact', 'contacts.csv', iconv.encode(csv, 'windows-1252'));
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ format: 'csv', encoding: 'windows-1252', delimiter: ';', status: 'draft' });
    expect(up.body.headers).toEqual(['First Name', 'Last Name', 'E-mail Address', 'Company', 'Mobile Phone', 'Birthday', 'Notes']);
    const id = up.body.id;

    const setup = await server.admin.request('GET', `/api/v1/imports/${id}/setup`);
    expect(setup.status).toBe(200);
    expect(setup.body.suggested).toEqual(['first_name', 'last_name', 'email', 'account', 'mobile', 'birthdate', 'description']);
    expect(setup.body.sample[0]).toEqual(['Zoë', 'Müller', 'zoe.mueller@import-one.example', 'Ïmport Öne GmbH', '+49 30 1234', '31/12/1980', 'Likes "quotes"; and semicolons']);

    const columns = setup.body.suggested.map((field: string) => (field === 'account' ? { field, createParent: true } : { field }));
    const configured = await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { columns, dateOrder: 'dmy', duplicates: 'create' } });
    expect(configured.status).toBe(200);

    const dry = await server.admin.request('POST', `/api/v1/imports/${id}/dry-run`);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ rowsTried: 5, wholeFile: true, created: 2, rejected: 3 });
    expect(dry.body.rows.map((r: any) => r.outcome)).toEqual(['created', 'created', 'rejected', 'rejected', 'rejected']);
    expect(dry.body.rows[2].error).toMatch(/Last name/);
    expect(dry.body.rows[3].error).toMatch(/E-mail/);
    expect(dry.body.rows[4].error).toMatch(/Birthdate.*not a date/);
    // Nothing written: neither the contacts nor the accounts the dry run created.
    expect(await count('contact', { field: 'email', op: 'eq', value: 'jean@import-one.example' })).toBe(0);
    expect(await count('account', { field: 'name', op: 'eq', value: 'Ïmport Öne GmbH' })).toBe(0);

    const started = await server.admin.request('POST', `/api/v1/imports/${id}/start`);
    expect(started.status).toBe(200);
    const done = await waitForStatus(server.admin, id, ['completed', 'failed']);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsDone: 5, created: 2, rejected: 3, fraction: 1, totalRows: 5 } });

    const zoe = (await server.admin.request('POST', '/api/v1/contact/query', { body: { filter: { field: 'email', op: 'eq', value: 'zoe.mueller@import-one.example' }, fields: ['first_name', 'last_name', 'account', 'birthdate', 'mobile', 'description'] } })).body.data[0];
    expect(zoe).toMatchObject({ first_name: 'Zoë', last_name: 'Müller', birthdate: '1980-12-31', mobile: '+49 30 1234', description: 'Likes "quotes"; and semicolons' });
    // One account made for both of its rows; none for Import Two SA, whose rows were all rejected.
    expect(await count('account', { field: 'name', op: 'eq', value: 'Ïmport Öne GmbH' })).toBe(1);
    expect(await count('account', { field: 'name', op: 'eq', value: 'Import Two SA' })).toBe(0);
    const history = await server.admin.request('GET', `/api/v1/contact/${zoe.id}/history`);
    expect(history.status).toBe(200);

    const report = await server.app.inject({ method: 'GET', url: `/api/v1/imports/${id}/errors.csv`, headers: { authorization: `Bearer ${server.admin.token}` } });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/text\/csv/);
    const lines = report.body.trim().split('\r\n');
    expect(lines[0]).toBe('First Name,Last Name,E-mail Address,Company,Mobile Phone,Birthday,Notes,Error');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^Ana,,ana@import-two.example,Import Two SA,,,no last name,/);

    const undo = await server.admin.request('POST', `/api/v1/imports/${id}/undo`);
    expect(undo.status).toBe(200);
    await waitForStatus(server.admin, id, ['undone']);
    expect(await count('contact', { field: 'email', op: 'eq', value: 'jean@import-one.example' })).toBe(0);
    expect(await count('account', { field: 'name', op: 'eq', value: 'Ïmport Öne GmbH' })).toBe(0);
    // The records the import created are one recycle-bin entry (the two contacts and the account
    // made for their company), restored as a whole; another user does not see it.
    const bin = await server.admin.request('GET', '/api/v1/recycle-bin');
    expect(bin.status).toBe(200);
    const entries = bin.body.data.filter((e: any) => e.group?.id === id);
    expect(entries).toEqual([expect.objectContaining({ name: 'Import contacts.csv', group: { id, label: 'Import contacts.csv', count: 3 } })]);
    for (const e of bin.body.data.filter((x: any) => !x.group)) expect(e.name).not.toBe('Ïmport Öne GmbH');
    const other = await server.createUser();
    expect((await other.request('GET', '/api/v1/recycle-bin')).body.data.some((e: any) => e.group?.id === id)).toBe(false);
    expect((await other.request('POST', `/api/v1/recycle-bin/${entries[0].id}/restore`)).status).toBe(404);
    const restored = await server.admin.request('POST', `/api/v1/recycle-bin/${entries[0].id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id, restored: 3, refused: [] });
    expect(await count('contact', { field: 'email', op: 'in', value: ['zoe.mueller@import-one.example', 'jean@import-one.example'] })).toBe(2);
    expect(await count('account', { field: 'name', op: 'in', value: ['Ïmport Öne GmbH', 'Import Two SA'] })).toBe(1);
    expect((await server.admin.request('GET', '/api/v1/recycle-bin')).body.data.some((e: any) => e.group?.id === id)).toBe(false);

    // The mapping is kept for the next file of contacts with the same titles.
    const again = await upload(server, server.admin, 'contact', 'more.csv', 'E-mail Address,Last Name\nx@y.example,X\n');
    const setup2 = await server.admin.request('GET', `/api/v1/imports/${again.body.id}/setup`);
    expect(setup2.body.suggested).toEqual(['email', 'last_name']);
  });

  it('upserts by e-mail, updates by id, and undo puts the previous values back; duplicates skip or update their match', async () => {
    const a = await server.admin.request('POST', '/api/v1/contact', { body: { last_name: 'Original', email: 'upsert.one@example.org', title: 'Before' } });
    expect(a.status).toBe(201);
    // Matched whatever the case of the e-mail in the file.
    const csv = 'email,last_name,title\nUPSERT.One@example.org,Original,After\nupsert.two@example.org,Newcomer,New\n';
    const up = await upload(server, server.admin, 'contact', 'upsert.csv', csv);
    const id = up.body.id;
    const patch = await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { mode: 'upsert', matchField: 'email', columns: columnsFor(up.body.headers, { email: 'email', last_name: 'last_name', title: 'title' }) } });
    expect(patch.status).toBe(200);
    await server.admin.request('POST', `/api/v1/imports/${id}/start`);
    const done = await waitForStatus(server.admin, id, ['completed', 'failed']);
    expect(done.progress).toMatchObject({ created: 1, updated: 1, rejected: 0 });
    expect((await server.admin.request('GET', `/api/v1/contact/${a.body.id}`)).body.title).toBe('After');
    await server.admin.request('POST', `/api/v1/imports/${id}/undo`);
    await waitForStatus(server.admin, id, ['undone']);
    expect((await server.admin.request('GET', `/api/v1/contact/${a.body.id}`)).body.title).toBe('Before');
    expect(await count('contact', { field: 'email', op: 'eq', value: 'upsert.two@example.org' })).toBe(0);

    // Insert mode with the duplicate rules (same e-mail): skip, then update the match.
    const dup = 'email,last_name,title\nupsert.one@example.org,Original,Twin\n';
    for (const [duplicates, expected] of [['skip', { skipped: 1 }], ['update', { updated: 1 }]] as const) {
      const u = await upload(server, server.admin, 'contact', 'dup.csv', dup);
      await server.admin.request('PATCH', `/api/v1/imports/${u.body.id}`, { body: { duplicates, columns: columnsFor(u.body.headers, { email: 'email', last_name: 'last_name', title: 'title' }) } });
      await server.admin.request('POST', `/api/v1/imports/${u.body.id}/start`);
      expect((await waitForStatus(server.admin, u.body.id, ['completed'])).progress).toMatchObject({ created: 0, ...expected });
    }
    expect((await server.admin.request('GET', `/api/v1/contact/${a.body.id}`)).body.title).toBe('Twin');
    expect(await count('contact', { field: 'email', op: 'eq', value: 'upsert.one@example.org' })).toBe(1);
  });

  it('refuses a bad mapping naming the field, and keeps other users out of an import', async () => {
    const up = await upload(server, server.admin, 'account', 'a.csv', 'Name,Revenue\nAcme,"1.234,50 €"\n');
    const id = up.body.id;
    const bad = await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { columns: [{ field: 'name' }, { field: 'name' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'columns[1].field', code: 'duplicate_mapping' })]);
    const unknown = await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { columns: [{ field: 'name' }, { field: 'nope' }] } });
    expect(unknown.body.errors[0]).toMatchObject({ field: 'columns[1].field', code: 'unknown_field' });
    const noMatch = await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { mode: 'upsert', columns: [{ field: 'name' }, { field: 'annual_revenue' }] } });
    expect(noMatch.body.errors[0]).toMatchObject({ field: 'matchField', code: 'required' });
    const ok = await server.admin.request('PATCH', `/api/v1/imports/${id}`, { body: { mode: 'insert', decimalComma: true, columns: [{ field: 'name' }, { field: 'annual_revenue' }] } });
    expect(ok.status).toBe(200);
    const dry = await server.admin.request('POST', `/api/v1/imports/${id}/dry-run`);
    expect(dry.body).toMatchObject({ created: 1, rejected: 0 });

    const other = await server.createUser();
    expect((await other.request('GET', `/api/v1/imports/${id}`)).status).toBe(404);
    expect((await other.request('POST', `/api/v1/imports/${id}/start`)).status).toBe(404);
    expect((await other.request('GET', '/api/v1/imports')).body.data).toEqual([]);
  });
});
