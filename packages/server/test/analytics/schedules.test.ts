import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { simpleParser } from 'mailparser';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { runDueSchedules } from '../../src/modules/analytics/schedules/run.ts';

/**
 * Issue 16 item 5 (ANL-3): a report exported as CSV or XLSX and e-mailed on a schedule, each
 * recipient getting the report run with their own access — the rep's e-mail and file hold the
 * rep's numbers, the admin's the admin's — through a real SMTP server; a run is sent once however
 * often the job runs; bad schedules answer problem+json naming the field.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let peer: TestUser;
let smtp: TestSmtp;
let byStage: string;
const tag = `sch${Date.now()}`;
const mine = { field: 'name', op: 'startsWith', value: tag };
const secret = `secret_${tag}`;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  rep = await server.createUser();
  peer = await server.createUser();
  ok(await admin.request('POST', '/api/v1/metadata/objects/opportunity/fields', { body: { apiName: secret, label: 'Secret score', type: 'number' } }));
  await createRepProfile(admin, { opportunity: { [secret]: 'hidden' } });
  for (const u of [rep, peer]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  ok(await admin.request('POST', '/api/v1/groups', { body: { name: `viewers${tag}`, label: 'Report viewers', members: [rep.id, peer.id] } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } }));
  const account = await buildAccount(admin, {});
  const deals: Array<[TestUser, number, string]> = [[rep, 100.25, 'prospecting'], [rep, 200, 'qualification'], [peer, 5000.01, 'prospecting']];
  for (const [owner, amount, stage] of deals) await buildOpportunity(admin, { name: `${tag} ${amount}`, owner: owner.id, account: account.id, amount, stage, close_date: '2027-01-10' });
  const saved = await admin.request('POST', '/api/v1/reports', {
    body: { name: 'Pipeline by stage', object: 'opportunity', definition: { filter: mine, groupings: { rows: ['stage'] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }], totals: true }, sharing: { groups: [`viewers${tag}`], roles: [] } },
  });
  expect(saved.status, saved.text).toBe(201);
  byStage = saved.body.id;
});
afterAll(async () => {
  await smtp?.close();
  await server?.close();
});

const csvOf = (text: string) => parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];

describe('report export', () => {
  it('a grouped report downloads with its subtotals, as the caller: the rep gets the rep’s numbers', async () => {
    const asAdmin = await admin.request('GET', `/api/v1/reports/${byStage}/export?format=csv`);
    expect(asAdmin.status, asAdmin.text).toBe(200);
    expect(asAdmin.headers['content-type']).toContain('text/csv');
    expect(asAdmin.headers['content-disposition']).toMatch(/attachment; filename="pipeline-by-stage-\d{8}-\d{4}\.csv"/);
    const adminRows = csvOf(asAdmin.text);
    expect(adminRows[0]).toEqual(['Stage', 'Count', 'Sum of Amount']);
    expect(adminRows).toContainEqual(['prospecting', '2', '5100.26']);
    expect(adminRows.at(-1)).toEqual(['Total', '3', '5300.26']);

    const asRep = csvOf((await rep.request('GET', `/api/v1/reports/${byStage}/export`)).text);
    expect(asRep).toContainEqual(['prospecting', '1', '100.25']);
    expect(asRep.at(-1)).toEqual(['Total', '2', '300.25']);
    expect(asRep.flat()).not.toContain('5000.01');

    const audit = await sql<{ details: { rows: number; completed: boolean } }>`SELECT details FROM audit_log WHERE action = 'reports.exported' AND actor_id = ${rep.id}`.execute(server.platform.db);
    expect(audit.rows.map((r) => (typeof r.details === 'string' ? JSON.parse(r.details) : r.details))).toContainEqual(expect.objectContaining({ rows: asRep.length - 1, completed: true }));
  });

  it('a tabular report downloads every row across pages, as XLSX with numbers as numbers and formulas neutralised', async () => {
    const records = Array.from({ length: 1_050 }, (_, i) => ({ name: `${tag} acct ${String(i).padStart(4, '0')}` }));
    records[7]!.name = `=HYPERLINK("http://evil.example","${tag}")`;
    for (let i = 0; i < records.length; i += 500) ok(await admin.request('POST', '/api/v1/account/bulk', { body: { operation: 'create', allowDuplicate: true, records: records.slice(i, i + 500) } }));
    const report = await admin.request('POST', '/api/v1/reports', {
      body: { name: 'All accounts', object: 'account', definition: { columns: ['name', 'owner'], filter: { or: [{ field: 'name', op: 'startsWith', value: tag }, { field: 'name', op: 'contains', value: tag }] }, sort: 'name', groupings: { rows: [] } } },
    });
    expect(report.status, report.text).toBe(201);
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/reports/${report.body.id}/export?format=xlsx`, headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.statusCode, res.body).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as never);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(1_051);
    expect(sheet.getRow(1).values).toEqual([undefined, 'Account name', 'Owner']);
    const names = new Set<string>();
    sheet.eachRow((row, n) => {
      if (n > 1) names.add(String(row.getCell(1).value));
    });
    expect(names.size).toBe(1_050);
    expect(names.has(`'=HYPERLINK("http://evil.example","${tag}")`)).toBe(true);
    // Lookups by name, not id.
    expect(String(sheet.getRow(2).getCell(2).value)).not.toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a report the caller cannot open is 404; a bad format is 400 naming the parameter', async () => {
    const own = await admin.request('POST', '/api/v1/reports', { body: { name: 'Private', object: 'opportunity', definition: { groupings: { rows: ['stage'] }, measures: [{ fn: 'count' }] } } });
    expect((await rep.request('GET', `/api/v1/reports/${own.body.id}/export`)).status).toBe(404);
    const bad = await admin.request('GET', `/api/v1/reports/${byStage}/export?format=pdf`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('format');
  });
});

describe('report schedules', () => {
  it('refuses bad schedules with the field named, and lets a rep schedule only for themselves', async () => {
    const post = (user: TestUser, body: unknown) => user.request('POST', `/api/v1/reports/${byStage}/schedules`, { body });
    const cases: Array<[unknown, string]> = [
      [{ frequency: 'hourly', at: '08:00', recipients: { users: [admin.id] } }, 'frequency'],
      [{ frequency: 'daily', at: '25:00', recipients: { users: [admin.id] } }, 'at'],
      [{ frequency: 'weekly', at: '08:00', recipients: { users: [admin.id] } }, 'weekday'],
      [{ frequency: 'monthly', at: '08:00', recipients: { users: [admin.id] } }, 'monthDay'],
      [{ frequency: 'daily', at: '08:00', timeZone: 'Mars/Olympus', recipients: { users: [admin.id] } }, 'timeZone'],
      [{ frequency: 'daily', at: '08:00', recipients: {} }, 'recipients'],
      [{ frequency: 'daily', at: '08:00', recipients: { users: ['01a00000-0000-7000-8000-000000000000'] } }, 'recipients.users[0]'],
      [{ frequency: 'daily', at: '08:00', recipients: { groups: ['no-such-group'] } }, 'recipients.groups[0]'],
    ];
    for (const [body, field] of cases) {
      const res = await post(admin, body);
      expect(res.status, `${field}: ${res.text}`).toBeGreaterThanOrEqual(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.body), field).toContain(field.replace(/\[/g, '[').split('.')[0]!);
    }
    expect((await post(rep, { frequency: 'daily', at: '08:00', recipients: { users: [peer.id] } })).status).toBe(403);
    const own = await post(rep, { frequency: 'daily', at: '08:00', timeZone: 'Europe/Berlin', recipients: { users: [rep.id] } });
    expect(own.status, own.text).toBe(201);
    // The rep sees their own schedule only; the report's owner sees every schedule of it.
    expect((await rep.request('GET', `/api/v1/reports/${byStage}/schedules`)).body.data.map((s: { id: string }) => s.id)).toEqual([own.body.id]);
    expect((await admin.request('GET', `/api/v1/reports/${byStage}/schedules`)).body.data.map((s: { id: string }) => s.id)).toContain(own.body.id);
    expect((await peer.request('DELETE', `/api/v1/report-schedules/${own.body.id}`)).status).toBe(404);
    expect((await rep.request('DELETE', `/api/v1/report-schedules/${own.body.id}`)).status).toBe(204);
  });

  it('e-mails each recipient the report run as them, once per run however often the job runs', async () => {
    ok(await admin.request('POST', '/api/v1/groups', { body: { name: `sales${tag}`, label: 'Sales', members: [rep.id] } }));
    const created = await admin.request('POST', `/api/v1/reports/${byStage}/schedules`, {
      body: { frequency: 'weekly', weekday: 1, at: '07:30', timeZone: 'America/New_York', format: 'csv', recipients: { users: [admin.id], groups: [`sales${tag}`] } },
    });
    expect(created.status, created.text).toBe(201);
    const schedule = created.body;
    expect(new Date(schedule.nextRunAt).getUTCDay()).toBe(1);
    // Make it due, then run the job twice (a retry, or a second worker).
    await sql`UPDATE analytics_report_schedule SET next_run_at = now() - interval '1 minute' WHERE id = ${schedule.id}`.execute(server.platform.db);
    const before = smtp.inbox.length;
    const first = await runDueSchedules(server.platform);
    const second = await runDueSchedules(server.platform);
    expect(first.results).toEqual([{ sent: 2, failed: 0, broken: 0 }]);
    expect(second.schedules).toBe(0);
    const mails = smtp.inbox.slice(before);
    expect(mails.map((m) => m.to[0]).sort()).toEqual([admin.email, rep.email].sort());

    const toRep = await simpleParser(mails.find((m) => m.to[0] === rep.email)!.raw);
    expect(toRep.subject).toContain('Pipeline by stage');
    expect(toRep.html).toContain('100.25');
    expect(toRep.html).not.toContain('5,000.01');
    const repFile = csvOf(toRep.attachments[0]!.content.toString('utf8'));
    expect(repFile.at(-1)).toEqual(['Total', '2', '300.25']);
    const toAdmin = await simpleParser(mails.find((m) => m.to[0] === admin.email)!.raw);
    expect(csvOf(toAdmin.attachments[0]!.content.toString('utf8')).at(-1)).toEqual(['Total', '3', '5300.26']);

    // The next run moved a week ahead, at 07:30 New York time.
    const after = (await admin.request('GET', `/api/v1/reports/${byStage}/schedules`)).body.data.find((s: { id: string }) => s.id === schedule.id);
    expect(after.lastResult).toEqual({ sent: 2, failed: 0, broken: 0 });
    expect(new Date(after.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(after.nextRunAt).toMatch(/T1[12]:30:00/);
  });

  it('a recipient for whom the report cannot run is told why; the others still get theirs', async () => {
    const field = secret;
    const report = await admin.request('POST', '/api/v1/reports', { body: { name: 'By secret', object: 'opportunity', definition: { filter: mine, groupings: { rows: [field] }, measures: [{ fn: 'count' }] } } });
    expect(report.status, report.text).toBe(201);
    const created = await admin.request('POST', `/api/v1/reports/${report.body.id}/schedules`, { body: { frequency: 'daily', at: '06:00', timeZone: 'UTC', recipients: { users: [admin.id, rep.id] } } });
    expect(created.status, created.text).toBe(201);
    const before = smtp.inbox.length;
    const sent = await admin.request('POST', `/api/v1/report-schedules/${created.body.id}/send`);
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body).toEqual({ sent: 1, failed: 0, broken: 1 });
    const toRep = await simpleParser(smtp.inbox.slice(before).find((m) => m.to[0] === rep.email)!.raw);
    expect(toRep.text).toContain('cannot run for you');
    expect(toRep.attachments).toHaveLength(0);
    const toAdmin = await simpleParser(smtp.inbox.slice(before).find((m) => m.to[0] === admin.email)!.raw);
    expect(toAdmin.attachments[0]!.filename).toMatch(/^by-secret-.*\.xlsx$/);
  });

  it('a dashboard is e-mailed too: each widget as the recipient sees it, one XLSX sheet per widget; one not shared with them is told so', async () => {
    const dashboard = await admin.request('POST', '/api/v1/dashboards', {
      body: {
        name: 'Weekly sales', sharing: { groups: [`viewers${tag}`] },
        widgets: [
          { id: 'total', reportId: byStage, kind: 'kpi', x: 0, y: 0, w: 6, h: 3, kpi: { measure: 'sum:amount' } },
          { id: 'stages', reportId: byStage, kind: 'table', x: 6, y: 0, w: 6, h: 3, title: 'Stages' },
        ],
      },
    });
    expect(dashboard.status, dashboard.text).toBe(201);
    const outsider = await server.createUser();
    const created = await admin.request('POST', `/api/v1/dashboards/${dashboard.body.id}/schedules`, { body: { frequency: 'daily', at: '07:00', timeZone: 'UTC', recipients: { users: [rep.id, outsider.id] } } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ dashboardId: dashboard.body.id, reportId: null });
    expect((await admin.request('GET', `/api/v1/dashboards/${dashboard.body.id}/schedules`)).body.data).toHaveLength(1);
    const before = smtp.inbox.length;
    const sent = await admin.request('POST', `/api/v1/report-schedules/${created.body.id}/send`);
    expect(sent.body, sent.text).toEqual({ sent: 1, failed: 0, broken: 1 });
    const mails = smtp.inbox.slice(before);
    const toRep = await simpleParser(mails.find((m) => m.to[0] === rep.email)!.raw);
    expect(toRep.subject).toContain('Weekly sales');
    expect(toRep.text).toContain('300.25');
    expect(toRep.text).not.toContain('5300.26');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(toRep.attachments[0]!.content as never);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Stages']);
    expect(workbook.worksheets[0]!.getRow(1).values).toEqual([undefined, 'Stage', 'Count', 'Sum of Amount']);
    const toOutsider = await simpleParser(mails.find((m) => m.to[0] === outsider.email)!.raw);
    expect(toOutsider.text).toContain('not shared with you');
    expect(toOutsider.attachments).toHaveLength(0);
  });
});
