import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { csvLine, neutralise } from '../../src/platform/records/export/cells.ts';
import { planExport } from '../../src/platform/records/export/planExport.ts';
import { streamExport } from '../../src/platform/records/export/streamExport.ts';
import { systemActor } from '../../src/platform/records/context.ts';
import { text } from 'node:stream/consumers';

/**
 * Issue 15 item 6: a list (view and/or filter) exported as CSV or XLSX, streamed in keyset pages,
 * with the list's access and field rules, formula injection neutralised, and an audit entry.
 */
let server: TestServer;
let admin: TestUser;
let repA: TestUser;
let repB: TestUser;

const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3+4', '@SUM(A1)', '\t=1+1', '\r=1+1'];

async function download(user: TestUser, url: string, body?: unknown) {
  const res = await server.app.inject({
    method: body === undefined ? 'GET' : 'POST', url,
    headers: { authorization: `Bearer ${user.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return res;
}

const csvRows = (text: string): Record<string, string>[] => parse(text, { bom: true, columns: true, skip_empty_lines: true, relax_column_count: false });

async function auditEntries() {
  const r = await admin.request('GET', '/api/v1/audit-log?action=records.exported&limit=200');
  ok(r);
  return r.body.data as Array<{ actor: { id: string }; target: { type: string }; details: Record<string, any> }>;
}

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  repA = await server.createUser();
  repB = await server.createUser();
  await createRepProfile(admin, { account: { annual_revenue: 'hidden' } });
  for (const u of [repA, repB]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/account', { body: { sharing: 'private' } }));
});
afterAll(async () => server?.close());

describe('exports', () => {
  it('neutralise prefixes text a spreadsheet would run as a formula, and nothing else', () => {
    for (const text of ['=1+1', '+1', '-1', '@A1', '\t=1', '\r=1']) expect(neutralise(text)).toBe(`'${text}`);
    for (const text of ['Acme', ' =1', '1-2', "'quoted", '']) expect(neutralise(text)).toBe(text);
    expect(csvLine(['-1', -1, null, true, 'a,b', 'say "hi"', 'two\nlines'])).toBe('-1,-1,,true,"a,b","say ""hi""","two\nlines"\r\n');
  });

  it('streams a filtered, sorted list as CSV, exactly the rows the list endpoint answers, and audits it', async () => {
    ok(await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'export_item', label: 'Export item', pluralLabel: 'Export items' } }));
    ok(await admin.request('POST', '/api/v1/metadata/objects/export_item/fields', { body: { apiName: 'n', label: 'N', type: 'number' } }));
    const records = Array.from({ length: 250 }, (_, i) => ({ name: `Item ${String(i).padStart(5, '0')}`, n: i }));
    const created = await admin.request('POST', '/api/v1/export_item/bulk', { body: { operation: 'create', records } });
    expect(created.body.failed, created.text).toBe(0);
    const filter = { field: 'n', op: 'gte', value: 10 };
    const res = await download(admin, `/api/v1/export_item/export?format=csv&sort=-n&fields=name,n&filter=${encodeURIComponent(JSON.stringify(filter))}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="export_item-\d{8}-\d{4}\.csv"$/);
    const rows = csvRows(res.body);
    expect(rows.length).toBe(240);
    expect(Object.keys(rows[0]!)).toEqual(['ID', 'Export item name', 'N']);
    expect(rows.map((r) => Number(r.N))).toEqual(Array.from({ length: 240 }, (_, i) => 249 - i));
    const listed = await admin.request('GET', `/api/v1/export_item?sort=-n&limit=200&filter=${encodeURIComponent(JSON.stringify(filter))}`);
    expect(rows.slice(0, 200).map((r) => r.ID)).toEqual(listed.body.data.map((r: { id: string }) => r.id));
    const entries = await auditEntries();
    expect(entries[0]).toMatchObject({ actor: { id: admin.id }, target: { type: 'export_item' }, details: { object: 'export_item', format: 'csv', rows: 240, completed: true, filter, sort: '-n' } });
  });

  it('reads keyset page after keyset page (page size 60 here, 2,000 in production) without losing or repeating a row', async () => {
    const ctx = { platform: server.platform, actor: systemActor('api') };
    const object = server.platform.registry.requireObject('export_item');
    for (const format of ['csv', 'xlsx'] as const) {
      const plan = await planExport({ ctx, object, input: { format, sort: 'name', fields: 'n', header: 'api' }, pageSize: 60 });
      const body = streamExport(plan);
      if (format === 'csv') {
        expect(csvRows(await text(body)).map((r) => Number(r.n))).toEqual(Array.from({ length: 250 }, (_, i) => i));
      } else {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c as Buffer);
        const book = new ExcelJS.Workbook();
        await book.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
        const sheet = book.worksheets[0]!;
        expect(sheet.rowCount).toBe(251);
        expect(Array.from({ length: 250 }, (_, i) => sheet.getRow(i + 2).getCell(2).value)).toEqual(Array.from({ length: 250 }, (_, i) => i));
      }
    }
  });

  it('neutralises formula injection in CSV and XLSX and keeps quoting, line breaks and negative numbers intact', async () => {
    const names = [...HOSTILE, 'Comma, "quoted"\nand a new line'];
    // Names are stored trimmed (a leading tab goes): what was stored is what must come out neutralised.
    const stored: string[] = [];
    for (const [i, name] of names.entries()) stored.push((await buildAccount(admin, { name, employees: -i, description: 'plain' })).name);
    const filter = { field: 'description', op: 'eq', value: 'plain' };
    const query = `fields=name,employees&header=api&sort=-employees&filter=${encodeURIComponent(JSON.stringify(filter))}`;
    const csv = await download(admin, `/api/v1/account/export?format=csv&${query}`);
    expect(csv.statusCode, csv.body).toBe(200);
    const rows = csvRows(csv.body);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'name', 'employees']);
    expect(rows.map((r) => r.name)).toEqual(stored.map((n) => (/^[=+\-@\t\r]/.test(n) ? `'${n}` : n)));
    expect(rows.filter((r) => r.name.startsWith("'")).length).toBe(HOSTILE.length);
    expect(rows.map((r) => r.employees)).toEqual(names.map((_, i) => String(-i)));

    const xlsx = await download(admin, `/api/v1/account/export?format=xlsx&${query}`);
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual(['id', 'name', 'employees']);
    expect(sheet.rowCount).toBe(names.length + 1);
    for (let i = 0; i < names.length; i++) {
      const [, name, employees] = values(i + 2);
      expect(name).toBe(rows[i]!.name);
      // A number stays a number cell (not text, not a formula).
      expect(employees).toBe(i === 0 ? 0 : -i);
      expect(sheet.getRow(i + 2).getCell(2).formula).toBeUndefined();
    }
    const entry = (await auditEntries())[0]!;
    expect(entry.details).toMatchObject({ format: 'xlsx', rows: names.length, completed: true });
  });

  it('a restricted user exports only the records they may see, without the fields their profile hides', async () => {
    await buildAccount(admin, { name: 'Alpha Visible', annual_revenue: 123456.78, owner: repA.id });
    await buildAccount(admin, { name: 'Bravo Invisible', annual_revenue: 99, owner: repB.id });
    await buildContact(repA, { last_name: 'Lookup Person', account: (await buildAccount(repA, { name: 'Alpha Parent' })).id });
    const res = await download(repA, '/api/v1/account/export?format=csv');
    expect(res.statusCode, res.body).toBe(200);
    const rows = csvRows(res.body);
    expect(rows.map((r) => r['Account name']).sort()).toEqual(['Alpha Parent', 'Alpha Visible']);
    expect(Object.keys(rows[0]!)).not.toContain('Annual revenue');
    expect(res.body).not.toContain('123456.78');
    expect(res.body).not.toContain('Bravo');
    // Asked for by name, a hidden field is refused like in a list, before anything is sent.
    const hidden = await download(repA, '/api/v1/account/export?fields=name,annual_revenue');
    expect(hidden.statusCode).toBe(400);
    expect(JSON.parse(hidden.body).errors[0]).toMatchObject({ field: 'fields', code: 'unknown_field' });
    // Lookups read as the parent's name with label headers.
    const contacts = csvRows((await download(repA, '/api/v1/contact/export?fields=last_name,account')).body);
    expect(contacts).toEqual([{ 'ID': expect.any(String), 'Last name': 'Lookup Person', Account: 'Alpha Parent' }]);
    const entry = (await auditEntries()).find((e) => e.actor.id === repA.id && e.target.type === 'account')!;
    expect(entry.details).toMatchObject({ rows: 2, completed: true });
  });

  it("exports a saved view (its filter, sort and columns) ANDed with the caller's filter, through GET and POST", async () => {
    for (const [name, employees] of [['View One', 10], ['View Two', 20], ['View Three', 30]] as const) await buildAccount(admin, { name, employees, industry: 'retail' });
    const view = await admin.request('POST', '/api/v1/views', { body: { object: 'account', name: 'Retail', filter: { field: 'industry', op: 'eq', value: 'retail' }, sort: '-employees', columns: ['name', 'employees'] } });
    ok(view);
    const rows = csvRows((await download(admin, `/api/v1/account/export?view=${view.body.id}`)).body);
    expect(rows).toEqual([
      { 'ID': expect.any(String), 'Account name': 'View Three', Employees: '30' },
      { 'ID': expect.any(String), 'Account name': 'View Two', Employees: '20' },
      { 'ID': expect.any(String), 'Account name': 'View One', Employees: '10' },
    ]);
    const posted = await download(admin, '/api/v1/account/export', { view: view.body.id, filter: { field: 'employees', op: 'lt', value: 25 }, format: 'csv' });
    expect(csvRows(posted.body).map((r) => r['Account name'])).toEqual(['View Two', 'View One']);
    const entry = (await auditEntries())[0]!;
    expect(entry.details).toMatchObject({ view: view.body.id, rows: 2 });
  });

  it('refuses bad input with a problem naming the field, and writes no audit entry', async () => {
    const before = (await auditEntries()).length;
    const cases: Array<[string, string]> = [
      ['/api/v1/account/export?format=pdf', 'format'],
      [`/api/v1/account/export?filter=${encodeURIComponent('{"field":"nope","op":"eq","value":1}')}`, 'filter'],
      ['/api/v1/account/export?filter=%7Bnot-json', 'filter'],
      ['/api/v1/account/export?sort=nope', 'sort'],
      ['/api/v1/account/export?fields=name,nope', 'fields'],
      ['/api/v1/account/export?header=fancy', 'header'],
    ];
    for (const [url, field] of cases) {
      const res = await download(admin, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(JSON.parse(res.body).errors), url).toContain(field);
    }
    expect((await download(admin, '/api/v1/account/export?view=00000000-0000-7000-8000-000000000000')).statusCode).toBe(404);
    expect((await download(repA, '/api/v1/audit_case/export')).statusCode).toBe(403);
    expect((await auditEntries()).length).toBe(before);
  });
});
