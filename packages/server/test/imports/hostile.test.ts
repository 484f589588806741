import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { getTestServer, type TestServer } from '../server.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { importSettings } from '../../src/modules/imports/settings.ts';
import { columnsFor, upload, waitForStatus } from './helpers.ts';

/**
 * Issue 15 item 13: hostile files. csv-spectrum's cases, UTF-16, ragged rows, binary data named
 * .csv, a 10 MB line, mixed encodings, repeated and unknown headers, a header with no rows, and
 * XLSX workbooks (built here with exceljs) with merged cells and formulas — values are read,
 * formulas never evaluated. Each bad file is a problem+json naming the problem, and writes nothing.
 */
describe('imports: hostile input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await getTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const setup = async (id: string) => (await server.admin.request('GET', `/api/v1/imports/${id}/setup`)).body;
  const drafts = async () => (await server.admin.request('GET', '/api/v1/imports?limit=200')).body.data.length as number;

  it('reads the csv-spectrum cases: quoted commas, embedded newlines, escaped quotes, empty fields, UTF-8 with a BOM', async () => {
    const csv = '\uFEFFfirst,last,address\n"John","Doe","120 any st., Anytown, WW 08123"\n"Jane",Doe,"line 1\nline 2"\n"Quote","O""Brien",\n,,\n"Ünïcödé",名前,"emoji 😀"\n';
    const up = await upload(server, server.admin, 'contact', 'spectrum.csv', csv);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ encoding: 'utf-8', delimiter: ',', headers: ['first', 'last', 'address'] });
    const s = await setup(up.body.id);
    expect(s.sample).toEqual([
      ['John', 'Doe', '120 any st., Anytown, WW 08123'],
      ['Jane', 'Doe', 'line 1\nline 2'],
      ['Quote', 'O"Brien', ''],
      ['', '', ''],
      ['Ünïcödé', '名前', 'emoji 😀'],
    ]);
    await server.admin.request('PATCH', `/api/v1/imports/${up.body.id}`, { body: { columns: [{ field: 'first_name' }, { field: 'last_name' }, { field: 'description' }], duplicates: 'create' } });
    const dry = await server.admin.request('POST', `/api/v1/imports/${up.body.id}/dry-run`);
    // The empty row has no last name (required).
    expect(dry.body).toMatchObject({ rowsTried: 5, created: 4, rejected: 1 });
    expect(dry.body.rows[3]).toMatchObject({ row: 4, outcome: 'rejected', error: expect.stringMatching(/Last name/) });
  });

  it('detects UTF-16 (LE and BE, with a BOM) and a tab delimiter', async () => {
    for (const encoding of ['utf-16le', 'utf-16be'] as const) {
      const bom = encoding === 'utf-16le' ? Buffer.from([0xff, 0xfe]) : Buffer.from([0xfe, 0xff]);
      const up = await upload(server, server.admin, 'account', 'utf16.csv', Buffer.concat([bom, iconv.encode('Name\tPhone\nÅngström AB\t+46 8 123\n', encoding)]));
      expect(up.status).toBe(201);
      expect(up.body).toMatchObject({ encoding, delimiter: '\t', headers: ['Name', 'Phone'] });
      expect((await setup(up.body.id)).sample).toEqual([['Ångström AB', '+46 8 123']]);
    }
  });

  it('takes ragged rows (missing cells are empty, extra cells are ignored but kept in the error report)', async () => {
    const up = await upload(server, server.admin, 'account', 'ragged.csv', 'Name,Phone\nShort Co\nLong Co,+1 555 0100,extra,more\n,+1 555 0101,x\n');
    expect(up.body.headers).toEqual(['Name', 'Phone', 'Column 3', 'Column 4']);
    await server.admin.request('PATCH', `/api/v1/imports/${up.body.id}`, { body: { columns: columnsFor(up.body.headers, { Name: 'name', Phone: 'phone' }), duplicates: 'create' } });
    await server.admin.request('POST', `/api/v1/imports/${up.body.id}/start`);
    const done = await waitForStatus(server.admin, up.body.id, ['completed', 'failed']);
    expect(done.progress).toMatchObject({ created: 2, rejected: 1 });
    const report = await server.app.inject({ method: 'GET', url: `/api/v1/imports/${up.body.id}/errors.csv`, headers: { authorization: `Bearer ${server.admin.token}` } });
    expect(report.body.split('\r\n')[1]).toMatch(/^,\+1 555 0101,x,,Account name: /);
  });

  it('refuses binary data named .csv, an empty file, a header with no rows, and a first line of 10 MB — and keeps nothing', async () => {
    const before = await drafts();
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 3, 0, 0, 255, 254]), randomBytes(4096)]);
    for (const [name, content, code] of [
      ['binary.csv', binary, 'not_text'],
      ['zip.csv', Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(200)]), 'not_text'],
      ['empty.csv', Buffer.alloc(0), 'empty'],
      ['header.csv', 'Name,Phone\n', 'no_rows'],
      ['header-crlf.csv', 'Name,Phone\r\n\r\n', 'no_rows'],
      ['blank.csv', '\n\n\n', 'no_header'],
      ['line.csv', `Name,${'x'.repeat(10 * 1024 * 1024)}\nA,B\n`, 'no_header'],
      ['fake.xlsx', 'Name\nAcme\n', 'not_xlsx'],
    ] as const) {
      const r = await upload(server, server.admin, 'account', name, content);
      expect(r.status, name).toBe(400);
      expect(r.body, name).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ field: 'file', code })] });
      expect(r.body.detail ?? r.body.errors[0].message, name).toBeTruthy();
    }
    expect(await drafts()).toBe(before);
  });

  it('stops a run at a 10 MB line in the middle with a clear error, keeping the batches committed before it', async () => {
    // Past the rows the upload samples (a long line among those is refused at the upload already).
    const rows = ['Name', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `Before ${n}`), `"${'y'.repeat(10 * 1024 * 1024)}"`, 'After'];
    const up = await upload(server, server.admin, 'account', 'longline.csv', rows.join('\n'));
    expect(up.status).toBe(201);
    await server.admin.request('PATCH', `/api/v1/imports/${up.body.id}`, { body: { columns: [{ field: 'name' }], duplicates: 'create' } });
    const dry = await server.admin.request('POST', `/api/v1/imports/${up.body.id}/dry-run`);
    expect(dry.status).toBe(400);
    expect(dry.body.errors[0]).toMatchObject({ field: 'file', code: 'unreadable', message: expect.stringMatching(/row is longer than/) });
    overrideSettings(server.platform, importSettings, { batchRows: 1 });
    try {
      await server.admin.request('POST', `/api/v1/imports/${up.body.id}/start`);
      const done = await waitForStatus(server.admin, up.body.id, ['completed', 'failed']);
      expect(done).toMatchObject({ status: 'failed', error: expect.stringMatching(/row is longer than .*line 9/) });
      // The batches committed before the parser met the line stay (as many as it had handed over; undo removes them).
      expect(done.progress.created).toBe(done.progress.rowsDone);
      expect(done.progress.created).toBeLessThanOrEqual(7);
    } finally {
      overrideSettings(server.platform, importSettings, { batchRows: 500 });
    }
  });

  it('refuses a file over the size limit with 413, and a body that is not multipart with 415', async () => {
    overrideSettings(server.platform, importSettings, { maxBytes: 2048 });
    try {
      const r = await upload(server, server.admin, 'account', 'big.csv', `Name\n${'Acme\n'.repeat(1000)}`);
      expect(r.status).toBe(413);
      expect(r.body.errors[0]).toMatchObject({ field: 'file', code: 'file_too_large' });
    } finally {
      overrideSettings(server.platform, importSettings, { maxBytes: 1024 * 1024 * 1024 });
    }
    const json = await server.admin.request('POST', '/api/v1/imports', { body: { object: 'account' } });
    expect(json.status).toBe(415);
    const noObject = await upload(server, server.admin, 'nope_object', 'a.csv', 'Name\nA\n');
    expect(noObject.status).toBe(404);
  });

  it('rejects the rows of a file that mixes encodings, naming the problem', async () => {
    // UTF-8 at the start (so detected as UTF-8), a Windows-1252 row further on.
    const head = `Name\n${'Plain Row Plain Row Plain Row Plain Row Plain Row\n'.repeat(1400)}`;
    const file = Buffer.concat([Buffer.from(head, 'utf8'), iconv.encode('Café Latin\n', 'windows-1252'), Buffer.from('Café Unicode\n', 'utf8')]);
    const up = await upload(server, server.admin, 'account', 'mixed.csv', file);
    expect(up.body.encoding).toBe('utf-8');
    await server.admin.request('PATCH', `/api/v1/imports/${up.body.id}`, { body: { columns: [{ field: 'name' }], duplicates: 'create' } });
    overrideSettings(server.platform, importSettings, { dryRunRows: 2000 });
    const dry = await server.admin.request('POST', `/api/v1/imports/${up.body.id}/dry-run`);
    overrideSettings(server.platform, importSettings, { dryRunRows: 2000 });
    expect(dry.body).toMatchObject({ rowsTried: 1402, created: 1401, rejected: 1 });
    expect(dry.body.rows).toHaveLength(100);
  });

  it('numbers repeated column titles, names blank ones, leaves unknown columns unmapped, and refuses two columns on one field', async () => {
    const up = await upload(server, server.admin, 'contact', 'dups.csv', 'Email,Email,,Shoe size,Last Name\na@x.example,b@x.example,?,44,A\n');
    expect(up.body.headers).toEqual(['Email', 'Email (2)', 'Column 3', 'Shoe size', 'Last Name']);
    const s = await setup(up.body.id);
    expect(s.suggested).toEqual(['email', null, null, null, 'last_name']);
    const bad = await server.admin.request('PATCH', `/api/v1/imports/${up.body.id}`, { body: { columns: [{ field: 'email' }, { field: 'email' }, { field: null }, { field: null }, { field: 'last_name' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'columns[1].field', code: 'duplicate_mapping' });
  });

  it('reads XLSX values — a formula’s stored result, never evaluated; merged cells’ top-left value; dates, rich text — and keeps a CSV formula as text', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Accounts');
    ws.addRow(['Name', 'Employees', 'Website', 'Description']);
    ws.addRow(['Formula Ltd', { formula: 'B3*2', result: 84 }, 'formula.example', { richText: [{ text: 'Rich ' }, { text: 'text', font: { bold: true } }] }]);
    ws.addRow(['Merged Inc', 42, 'merged.example', 'merged across']);
    ws.mergeCells('D3:E3');
    ws.addRow(['No Result Co', { formula: 'HYPERLINK("http://evil.example","x")' }, 'noresult.example', { formula: '1+1' }]);
    ws.addRow(['Dated', 7, 'dated.example', new Date(Date.UTC(2026, 4, 1))]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const up = await upload(server, server.admin, 'account', 'accounts.xlsx', xlsx);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ format: 'xlsx', encoding: null, delimiter: null, headers: ['Name', 'Employees', 'Website', 'Description'] });
    const s = await setup(up.body.id);
    expect(s.sample).toEqual([
      ['Formula Ltd', '84', 'formula.example', 'Rich text'],
      ['Merged Inc', '42', 'merged.example', 'merged across'],
      ['No Result Co', '', 'noresult.example', ''],
      ['Dated', '7', 'dated.example', '2026-05-01'],
    ]);
    await server.admin.request('PATCH', `/api/v1/imports/${up.body.id}`, { body: { columns: [{ field: 'name' }, { field: 'employees' }, { field: 'website' }, { field: 'description' }], duplicates: 'create' } });
    await server.admin.request('POST', `/api/v1/imports/${up.body.id}/start`);
    expect((await waitForStatus(server.admin, up.body.id, ['completed', 'failed'])).progress).toMatchObject({ created: 4, rejected: 0 });

    const csv = await upload(server, server.admin, 'account', 'formula.csv', 'Name,Description\nCsv Formula,=1+1\n');
    await server.admin.request('PATCH', `/api/v1/imports/${csv.body.id}`, { body: { columns: [{ field: 'name' }, { field: 'description' }], duplicates: 'create' } });
    await server.admin.request('POST', `/api/v1/imports/${csv.body.id}/start`);
    await waitForStatus(server.admin, csv.body.id, ['completed']);
    const rec = await server.admin.request('POST', '/api/v1/account/query', { body: { filter: { field: 'name', op: 'eq', value: 'Csv Formula' }, fields: ['description'] } });
    expect(rec.body.data[0].description).toBe('=1+1');
  });
});
