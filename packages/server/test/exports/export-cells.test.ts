import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { csvLine, headerRow, valueCell, type Cell } from '../../src/platform/records/export/cells.ts';
import { exportColumns, rowLine } from '../../src/platform/records/export/rowCells.ts';
import { planExport, readExportPage } from '../../src/platform/records/export/planExport.ts';
import { systemActor } from '../../src/platform/records/context.ts';

/**
 * Issue 15 item 14: exports write their cells straight from the database rows (text formatted by
 * PostgreSQL, no API record per row). The file must be what it was when every row went through the
 * list's API records: here the expected file is built the old way — the list endpoint's records
 * (`display=true` for the lookups' names) through valueCell and csvLine — and compared byte for
 * byte, for every field type, for labels and API headers, for an admin and for a restricted rep.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;

/** The fields PostgreSQL writes whole lines for (sqlLine): no formula field; with label headers, no lookup either. */
const PLAIN = ['name', 't', 'lt', 'em', 'ph', 'u', 'n', 'm', 'p', 'b', 'd', 'dt', 'pk', 'mp', 'acc', 'owner', 'no'];
const FIELDS = ['name', 't', 'lt', 'em', 'ph', 'u', 'n', 'm', 'p', 'b', 'd', 'dt', 'pk', 'mp', 'acc', 'owner', 'no', 'ratio', 'shout'];

async function exportOf(user: TestUser, query: string) {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/cell_item/export?${query}`, headers: { authorization: `Bearer ${user.token}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res;
}

/** The export as it was: the list's API records (and display names) → cells → CSV lines. */
async function oldWay(user: TestUser, fields: string[], header: 'label' | 'api', filter?: unknown) {
  const query = new URLSearchParams({ fields: fields.join(','), sort: 'name', limit: '200', display: 'true', ...(filter ? { filter: JSON.stringify(filter) } : {}) });
  const list = await user.request('GET', `/api/v1/cell_item?${query}`);
  ok(list);
  const object = server.platform.registry.requireObject('cell_item');
  const columns = ['id', ...fields].map((n) => object.fields.find((f) => f.apiName === n)!);
  const names = header === 'label' && columns.some((f) => f.lookup) ? list.body.display : null;
  const rows: Cell[][] = list.body.data.map((r: Record<string, unknown>) => columns.map((f) => valueCell(f, r[f.apiName], names)));
  return { rows, csv: `\uFEFF${csvLine(headerRow(columns, header))}${rows.map(csvLine).join('')}` };
}

async function xlsxRows(user: TestUser, query: string): Promise<unknown[][]> {
  const res = await exportOf(user, `format=xlsx&${query}`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const sheet = book.worksheets[0]!;
  return Array.from({ length: sheet.rowCount - 1 }, (_, i) => (sheet.getRow(i + 2).values as unknown[]).slice(1));
}

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  const add = async (body: Record<string, unknown>) => ok(await admin.request('POST', '/api/v1/metadata/objects/cell_item/fields', { body }));
  ok(await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'cell_item', label: 'Cell item', pluralLabel: 'Cell items' } }));
  await add({ apiName: 't', label: 'Text', type: 'text' });
  await add({ apiName: 'lt', label: 'Long text', type: 'long_text' });
  await add({ apiName: 'em', label: 'E-mail', type: 'email' });
  await add({ apiName: 'ph', label: 'Phone', type: 'phone' });
  await add({ apiName: 'u', label: 'Web', type: 'url' });
  await add({ apiName: 'n', label: 'Number', type: 'number' });
  await add({ apiName: 'm', label: 'Money', type: 'currency' });
  await add({ apiName: 'p', label: 'Share', type: 'percent' });
  await add({ apiName: 'b', label: 'Flag', type: 'boolean' });
  await add({ apiName: 'd', label: 'Day', type: 'date' });
  await add({ apiName: 'dt', label: 'When', type: 'datetime' });
  await add({ apiName: 'pk', label: 'Pick', type: 'picklist', picklist: { values: [{ value: 'alpha', label: 'Alpha' }, { value: 'beta', label: 'Beta' }] } });
  await add({ apiName: 'mp', label: 'Picks', type: 'multi_picklist', picklist: { values: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }, { value: 'z', label: 'Z' }] } });
  await add({ apiName: 'acc', label: 'Account', type: 'lookup', lookup: { object: 'account', onDelete: 'clear' } });
  await add({ apiName: 'no', label: 'Number code', type: 'autonumber', autonumber: { prefix: 'C-', digits: 4 } });
  await add({ apiName: 'ratio', label: 'Ratio', type: 'formula', formula: { expression: 'm / 7', returnType: 'number' } });
  await add({ apiName: 'shout', label: 'Shout', type: 'formula', formula: { expression: 'upper(t)', returnType: 'text' } });
  await createRepProfile(admin, { cell_item: { p: 'hidden' } });
  ok(await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { profile: 'rep' } }));
  for (const o of ['account', 'cell_item']) ok(await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } }));

  const hidden = await buildAccount(admin, { name: '=Hidden Parent' });
  const own = await buildAccount(rep, { name: 'Rep Parent, "quoted"' });
  const records = [
    {
      name: 'Cell 1', t: '=HYPERLINK("http://evil.example","x")', lt: 'Line one,\n"two"', em: 'a@example.com', ph: '+1 555 0100', u: 'example.com/x',
      n: -0.5, m: 1234.5, p: 12.25, b: true, d: '2026-02-28', dt: '2026-03-01T12:34:56.789+02:00', pk: 'alpha', mp: ['z', 'x'], acc: hidden.id,
    },
    { name: 'Cell 2' },
    { name: 'Cell 3', t: '@SUM(A1)', lt: '\t=1+1', n: 1e-7, m: 123456789012.34, p: 0, b: false, d: '1999-12-31', dt: '2026-12-31T23:59:59Z', pk: 'beta', mp: [], acc: own.id, owner: rep.id },
    { name: 'Cell 4', t: 'plain', lt: '-3+4', n: 250, m: -0.01, p: 100, dt: '2026-06-01T00:00:00.001Z', mp: ['y'], acc: hidden.id, owner: rep.id },
    { name: '+Cell 5', t: '-', n: 123456.789, m: 0, owner: rep.id },
  ];
  const created = await admin.request('POST', '/api/v1/cell_item/bulk', { body: { operation: 'create', records } });
  expect(created.body.failed, created.text).toBe(0);
});
afterAll(async () => server?.close());

describe('export cells straight from rows', () => {
  it('writes the same CSV as the API records did, for every field type, with label and API headers', async () => {
    for (const header of ['label', 'api'] as const) {
      const res = await exportOf(admin, `format=csv&header=${header}&sort=name&fields=${FIELDS.join(',')}`);
      const expected = await oldWay(admin, FIELDS, header);
      expect(expected.rows.length).toBe(5);
      expect(res.body).toBe(expected.csv);
    }
  });

  it('writes the same CSV when PostgreSQL writes the lines (no formula field; no lookup shown as a name)', async () => {
    // On PostgreSQL these lines come through one COPY statement (copyLines), on PGlite in keyset pages.
    const object = server.platform.registry.requireObject('cell_item');
    const plan = await planExport({ ctx: { platform: server.platform, actor: systemActor('api') }, object, input: { format: 'csv', header: 'api', fields: PLAIN.join(',') } });
    expect(plan.copy).toBe(server.platform.database.kind === 'postgres');
    // A filter's values reach COPY as settings read back with the parameters' types: text with a
    // quote, a backslash and a comma, a date-time, a list, a number.
    const filter = {
      and: [
        { field: 'name', op: 'ne', value: "O'Brien \\ \"x\", $1" },
        { or: [{ field: 'dt', op: 'lt', value: '2026-12-31T00:00:00.000Z' }, { field: 'dt', op: 'isNull', value: true }] },
        { field: 'name', op: 'in', value: ['Cell 1', 'Cell 2', '+Cell 5', "it's"] },
        { or: [{ field: 'n', op: 'gte', value: -1 }, { field: 'n', op: 'isNull', value: true }] },
      ],
    };
    for (const user of [admin, rep]) {
      const plain = user === rep ? PLAIN.filter((f) => f !== 'p') : PLAIN;
      for (const [header, fields] of [['api', plain], ['label', plain.filter((f) => f !== 'acc' && f !== 'owner')]] as const) {
        const res = await exportOf(user, `format=csv&header=${header}&sort=name&fields=${fields.join(',')}`);
        const expected = await oldWay(user, fields, header);
        expect(expected.rows.length).toBe(user === rep ? 3 : 5);
        expect(res.body).toBe(expected.csv);
        const filtered = await exportOf(user, `format=csv&header=${header}&sort=-name&fields=${fields.join(',')}&filter=${encodeURIComponent(JSON.stringify(filter))}`);
        const old = await oldWay(user, fields, header, filter);
        expect(old.rows.length).toBe(user === rep ? 1 : 3);
        // oldWay sorts by name; the export asked for -name.
        const [head, ...lines] = filtered.body.split('\r\n');
        expect([head, ...lines.slice(0, -1).reverse(), ''].join('\r\n')).toBe(old.csv);
      }
    }
  });

  it('pins the format of each kind of cell', async () => {
    const res = await exportOf(admin, `format=csv&header=label&sort=name&fields=${FIELDS.join(',')}`);
    const lines = res.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('ID,Cell item name,Text,Long text,E-mail,Phone,Web,Number,Money,Share,Flag,Day,When,Pick,Picks,Account,Owner,Number code,Ratio,Shout');
    const line = (name: string) => lines.find((l: string) => l.includes(`,${name},`))!;
    expect(line('Cell 1')).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")","Line one,\n""two""",a@example.com,'+1 555 0100,https://example.com/x,-0.5,1234.5,12.25,true,2026-02-28,2026-03-01T10:34:56.789Z,alpha,x; z,'=Hidden Parent,`);
    // Nulls are empty cells; a boolean false, a zero and an empty multi-picklist are written as such.
    expect(line('Cell 2')).toMatch(/,Cell 2,{15}[^,]/);
    expect(line('Cell 3')).toContain(`,'@SUM(A1),'\t=1+1,,,,1e-7,123456789012.34,0,false,1999-12-31,2026-12-31T23:59:59.000Z,beta,,"Rep Parent, ""quoted""",`);
    expect(line('Cell 4')).toContain(",plain,'-3+4,,,,250,-0.01,100,,,2026-06-01T00:00:00.001Z,,y,'=Hidden Parent,");
    expect(line("'+Cell 5")).toContain(",'-,,,,,123456.789,0,");
    // API headers: lookups as ids.
    const api = (await exportOf(admin, `format=csv&header=api&sort=name&fields=name,acc`)).body.split('\r\n');
    expect(api[0]).toBe('\uFEFFid,name,acc');
    expect(api.find((l: string) => l.includes(',Cell 1,'))).toMatch(/,Cell 1,[0-9a-f-]{36}$/);
  });

  it('writes the same XLSX cells: numbers and booleans as such, text neutralised', async () => {
    for (const header of ['label', 'api'] as const) {
      const rows = await xlsxRows(admin, `header=${header}&sort=name&fields=${FIELDS.join(',')}`);
      const expected = await oldWay(admin, FIELDS, header);
      // ExcelJS reads an empty cell (and an empty string) as undefined and leaves trailing empties off the row.
      const asRead = (cells: Cell[]) => cells.map((c) => (c === null || c === '' ? undefined : c));
      expect(rows.map((r) => [...r, ...Array(FIELDS.length + 1 - r.length).fill(undefined)])).toEqual(expected.rows.map(asRead));
    }
  });

  it("a restricted rep's export is their list: their records, without the hidden field, lookups they may not follow as ids", async () => {
    const fields = FIELDS.filter((f) => f !== 'p');
    for (const header of ['label', 'api'] as const) {
      const res = await exportOf(rep, `format=csv&header=${header}&sort=name&fields=${fields.join(',')}`);
      const expected = await oldWay(rep, fields, header);
      expect(expected.rows.length).toBe(3);
      expect(res.body).toBe(expected.csv);
    }
    const labels = (await exportOf(rep, 'format=csv&sort=name')).body;
    expect(labels).not.toContain('Share');
    expect(labels).not.toContain('Hidden Parent');
    const hiddenId = (await admin.request('GET', `/api/v1/account?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: '=Hidden Parent' }))}`)).body.data[0].id;
    expect(labels).toContain(`,${hiddenId},`);
    expect(labels).toContain('"Rep Parent, ""quoted"""');
  });

  it('writes amounts exactly as stored, and ±infinity date-times as the API does', async () => {
    const object = server.platform.registry.requireObject('cell_item');
    // Written past the API (which takes a JavaScript number): digits beyond a double's precision.
    await sql`UPDATE ${sql.table(object.table)} SET m = 99999999999999.99, dt = 'infinity' WHERE name = 'Cell 2'`.execute(server.platform.db);
    await sql`UPDATE ${sql.table(object.table)} SET dt = '-infinity' WHERE name = 'Cell 4'`.execute(server.platform.db);
    const lines = (await exportOf(admin, 'format=csv&header=api&sort=name&fields=name,m,dt')).body.split('\r\n');
    expect(lines.find((l: string) => l.includes(',Cell 2,'))).toMatch(/,Cell 2,99999999999999\.99,9999-12-31T23:59:59\.999Z$/);
    expect(lines.find((l: string) => l.includes(',Cell 4,'))).toMatch(/,Cell 4,-0\.01,0001-01-01T00:00:00\.000Z$/);
    const list = await admin.request('GET', `/api/v1/cell_item?fields=dt&filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'Cell 2' }))}`);
    expect(list.body.data[0].dt).toBe('9999-12-31T23:59:59.999Z');
  });

  it("PostgreSQL's lines are rowLine's, for values only SQL can write, and for more columns than one concat() takes", async () => {
    const object = server.platform.registry.requireObject('cell_item');
    const t = sql.table(object.table);
    const db = server.platform.db;
    await sql`UPDATE ${t} SET t = '', lt = E'\r=1', em = '"', ph = '😀,x', u = E'a\nb', pk = '-', n = 0.00000012345678901234567, p = -0.0000005, mp = ARRAY['a,b', NULL, '"q"'] WHERE name = 'Cell 1'`.execute(db);
    await sql`UPDATE ${t} SET t = E'\t', n = 1e-400, p = 1000000000000000000000, mp = ARRAY['=x'] WHERE name = 'Cell 2'`.execute(db);
    await sql`UPDATE ${t} SET n = -123.4500, p = -0.000001, t = '@', lt = '""' WHERE name = 'Cell 3'`.execute(db);
    await sql`UPDATE ${t} SET n = 5e-324, p = 0.00000099999999999999999 WHERE name = 'Cell 4'`.execute(db);
    const ctx = { platform: server.platform, actor: { ...systemActor('api'), userId: admin.id } };
    const account = server.platform.registry.requireObject('account');
    const accountFields = account.fields.filter((f) => !f.formula && !f.rollup && f.apiName !== 'version' && f.apiName !== 'deleted_at');
    expect(accountFields.length).toBeGreaterThan(32);
    const fieldsOf = (names: string[]) => ['id', ...names].map((n) => object.fields.find((f) => f.apiName === n)!);
    const cases = [
      { object, header: 'api' as const, columns: fieldsOf(PLAIN) },
      { object, header: 'label' as const, columns: fieldsOf(PLAIN.filter((f) => f !== 'acc' && f !== 'owner')) },
      { object: account, header: 'api' as const, columns: accountFields },
    ];
    for (const { object: o, header, columns } of cases) {
      const page = { ctx, object: o, filter: undefined, sort: 'name', columns, pageSize: 100 };
      const rows = (await readExportPage(page)).rows;
      const lines = (await readExportPage({ ...page, lines: header })).rows;
      expect(rows.length).toBeGreaterThan(1);
      expect(lines.map((row) => row.line)).toEqual(rows.map((row) => rowLine(exportColumns(columns, header === 'label'), row, null)));
    }
    const all = (await exportOf(admin, `format=csv&header=api&sort=name&fields=${PLAIN.join(',')}`)).body;
    const line = (name: string) => all.slice(all.indexOf(`,${name},`), all.indexOf('\r\n', all.indexOf(`,${name},`) + 1));
    expect(line('Cell 1')).toMatch(/^,Cell 1,,"'\r=1","""","😀,x","a\nb",/);
    expect(line('Cell 1')).toContain(`,${String(Number('0.00000012345678901234567'))},`);
    expect(line('Cell 2')).toContain(`,'\t,`);
    expect(line('Cell 2')).toContain(',0,');
    expect(line('Cell 3')).toContain(`,'@,"""""",`);
    // A numeric below 1e-6 that JavaScript reads as 1e-6 (written without an exponent), and the smallest double.
    expect(line('Cell 4')).toContain(',5e-324,-0.01,0.000001,');
  });
});
