import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount, buildOpportunity } from './factories.ts';
import { createRepProfile, ok } from './access/fixture.ts';

/**
 * Formula and roll-up fields (issue 10 item 9, decision 0007): defined through the metadata API,
 * type-checked when defined, computed when read — in records, lists, filters, sorts and paging,
 * in memory for validation rules — and roll-ups count only the children the reader can see.
 */
let server: TestServer;
let admin: TestUser;
let repA: TestUser;
let repB: TestUser;

const addField = (body: Record<string, unknown>, object = 'opportunity') => admin.request('POST', `/api/v1/metadata/objects/${object}/fields`, { body });
const list = (user: TestUser, query: Record<string, string>) => user.request('GET', `/api/v1/opportunity?${new URLSearchParams(query)}`);

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  repA = await server.createUser();
  repB = await server.createUser();
  await createRepProfile(admin, { opportunity: { won_amount: 'hidden' } });
  for (const u of [repA, repB]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  for (const o of ['account', 'opportunity']) ok(await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } }));
  ok(await addField({ apiName: 'margin_pct', label: 'Margin %', type: 'formula', formula: { expression: 'if(amount > 0, gross_profit / amount * 100, null)', returnType: 'percent' } }));
  ok(await addField({ apiName: 'profit_share', label: 'Profit share', type: 'formula', formula: { expression: 'gross_profit / amount', returnType: 'number' } }));
  ok(await addField({ apiName: 'deal_label', label: 'Deal label', type: 'formula', formula: { expression: "upper(stage) & ' – ' & coalesce(account.name, 'no account')", returnType: 'text' } }));
  ok(await addField({ apiName: 'won_share', label: 'Won share', type: 'formula', formula: { expression: 'round(won_amount / amount * 100, 1)', returnType: 'percent' } }));
  ok(await addField({ apiName: 'open_pipeline', label: 'Open pipeline', type: 'rollup', rollup: { object: 'opportunity', lookup: 'account', aggregate: 'sum', field: 'amount', filter: { field: 'stage', op: 'nin', value: ['closed_won', 'closed_lost'] } } }, 'account'));
  ok(await addField({ apiName: 'deal_count', label: 'Deals', type: 'rollup', rollup: { object: 'opportunity', lookup: 'account', aggregate: 'count' } }, 'account'));
  ok(await addField({ apiName: 'largest_won', label: 'Largest won', type: 'rollup', rollup: { object: 'opportunity', lookup: 'account', aggregate: 'max', field: 'won_amount' } }, 'account'));
});
afterAll(async () => server?.close());

describe('formula fields', () => {
  it('are computed when read, never stored, and present as their return type', async () => {
    const account = await buildAccount(admin, { name: 'Formula Co' });
    const deal = await buildOpportunity(admin, { account: account.id, amount: 200, gross_profit: 50 });
    const read = await admin.request('GET', `/api/v1/opportunity/${deal.id}`);
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ margin_pct: 25, profit_share: 0.25, deal_label: `${String(read.body.stage).toUpperCase()} – Formula Co`, won_share: null });
    const columns = await sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns WHERE table_name = 'obj_opportunity' AND table_schema = current_schema()`.execute(server.platform.db);
    expect(columns.rows.map((c) => c.column_name)).not.toContain('margin_pct');
    const field = (await admin.request('GET', '/api/v1/metadata/objects/opportunity/fields/margin_pct')).body;
    expect(field).toMatchObject({ type: 'percent', readOnly: true, formula: { expression: 'if(amount > 0, gross_profit / amount * 100, null)', returnType: 'percent' } });
    // Writes answer what a read would; a change to an input shows at once: nothing is stored that could go stale.
    expect(deal.margin_pct).toBe(25);
    const patched = await admin.request('PATCH', `/api/v1/opportunity/${deal.id}`, { body: { gross_profit: 80 } });
    expect(patched.body.margin_pct).toBe(40);
    expect((await admin.request('GET', `/api/v1/opportunity/${deal.id}`)).body.margin_pct).toBe(40);
    const history = await admin.request('GET', `/api/v1/opportunity/${deal.id}/history`);
    expect(JSON.stringify(history.body)).not.toContain('margin_pct');
  });

  it('divide by zero to null, and filter, sort and page like stored fields', async () => {
    const account = await buildAccount(admin, { name: `Sort Co ${Date.now()}` });
    const margins = [[1000, 100], [1000, 350], [0, 10], [1000, 200], [400, 300]];
    for (const [amount, gross_profit] of margins) await buildOpportunity(admin, { account: account.id, amount, gross_profit });
    const mine = { field: 'account', op: 'eq', value: account.id };
    const all = await list(admin, { filter: JSON.stringify(mine), sort: 'margin_pct', fields: 'margin_pct,profit_share' });
    expect(all.status, all.text).toBe(200);
    expect(all.body.data.map((r: any) => r.margin_pct)).toEqual([10, 20, 35, 75, null]);
    expect(all.body.data.map((r: any) => r.profit_share)).toEqual([0.1, 0.2, 0.35, 0.75, null]);
    const filter = JSON.stringify({ and: [mine, { field: 'margin_pct', op: 'gte', value: 20 }] });
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await list(admin, { filter, sort: '-margin_pct', limit: '2', fields: 'margin_pct', ...(cursor ? { cursor } : {}) });
      expect(page.status, page.text).toBe(200);
      pages.push(...page.body.data.map((r: any) => r.margin_pct));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([75, 35, 20]);
    const empty = await list(admin, { filter: JSON.stringify({ and: [mine, { field: 'margin_pct', op: 'isNull' }] }), fields: 'amount' });
    expect(empty.body.data.map((r: any) => r.amount)).toEqual([0]);
    const byText = await list(admin, { filter: JSON.stringify({ and: [mine, { field: 'deal_label', op: 'contains', value: 'sort co' }] }), fields: 'id' });
    expect(byText.body.data).toHaveLength(5);
  });

  it('cannot be written, and say so', async () => {
    const res = await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Written', close_date: '2027-01-31', margin_pct: 5 } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'margin_pct', code: 'read_only' })]);
  });

  it('read lookup paths with the reader’s visibility: an account they cannot see reads as no account', async () => {
    const secret = await buildAccount(admin, { name: 'Hidden Parent Inc' });
    const deal = await buildOpportunity(admin, { account: secret.id, owner: repA.id });
    const asRep = await repA.request('GET', `/api/v1/opportunity/${deal.id}`);
    expect(asRep.status, asRep.text).toBe(200);
    expect(asRep.body.deal_label).toMatch(/ – no account$/);
    expect(asRep.text).not.toContain('Hidden Parent');
    const filtered = await list(repA, { filter: JSON.stringify({ field: 'deal_label', op: 'contains', value: 'hidden parent' }) });
    expect(filtered.body.data).toEqual([]);
    expect((await admin.request('GET', `/api/v1/opportunity/${deal.id}`)).body.deal_label).toMatch(/ – Hidden Parent Inc$/);
  });

  it('are hidden from readers who may not read a field they use', async () => {
    const deal = await buildOpportunity(admin, { owner: repA.id, amount: 100, stage: 'closed_won', won_amount: 100 });
    const asRep = await repA.request('GET', `/api/v1/opportunity/${deal.id}`);
    expect(asRep.body).not.toHaveProperty('won_share');
    expect(asRep.body).toHaveProperty('margin_pct');
    const filtered = await list(repA, { filter: JSON.stringify({ field: 'won_share', op: 'gt', value: 0 }) });
    expect(filtered.status).toBe(400);
    expect((await list(repA, { sort: 'won_share' })).status).toBe(400);
    const fields = (await repA.request('GET', '/api/v1/metadata/objects/opportunity/fields')).body.data.map((f: any) => f.apiName);
    expect(fields).toContain('margin_pct');
    expect(fields).not.toContain('won_share');
    expect((await admin.request('GET', `/api/v1/opportunity/${deal.id}`)).body.won_share).toBe(100);
  });

  it('are checked in memory by validation rules, as the record will be saved', async () => {
    const rule = await admin.request('POST', '/api/v1/metadata/objects/opportunity/validation-rules', {
      body: { name: 'margin_cap', condition: { or: [{ field: 'margin_pct', op: 'isNull' }, { field: 'margin_pct', op: 'lte', value: 90 }] }, message: 'A margin above 90 % needs a second look', field: 'gross_profit' },
    });
    expect(rule.status, rule.text).toBe(201);
    try {
      const refused = await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Too good', close_date: '2027-01-31', amount: 100, gross_profit: 95 } });
      expect(refused.status, refused.text).toBe(422);
      expect(refused.body.errors[0]).toMatchObject({ field: 'gross_profit', message: 'A margin above 90 % needs a second look' });
      ok(await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Fine', close_date: '2027-01-31', amount: 100, gross_profit: 90 } }));
    } finally {
      ok(await admin.request('DELETE', `/api/v1/metadata/objects/opportunity/validation-rules/${rule.body.id}`));
    }
    // A formula that reads through a lookup: the account is loaded for the rule.
    const blocked = await buildAccount(admin, { name: 'Blocked Co' });
    const byPath = await admin.request('POST', '/api/v1/metadata/objects/opportunity/validation-rules', {
      body: { name: 'no_blocked_label', condition: { not: { field: 'deal_label', op: 'contains', value: 'blocked co' } }, message: 'Not for Blocked Co', field: 'account' },
    });
    try {
      const refused = await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Blocked deal', close_date: '2027-01-31', account: blocked.id } });
      expect(refused.status, refused.text).toBe(422);
      expect(refused.body.errors[0]).toMatchObject({ field: 'account', message: 'Not for Blocked Co' });
    } finally {
      ok(await admin.request('DELETE', `/api/v1/metadata/objects/opportunity/validation-rules/${byPath.body.id}`));
    }
  });

  it('refuse bad definitions with 400 naming formula.expression and the character', async () => {
    const bad = async (expression: string, returnType = 'number') => {
      const res = await addField({ apiName: `bad_${Math.random().toString(36).slice(2, 8)}`, label: 'Bad', type: 'formula', formula: { expression, returnType } });
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors[0].field).toBe('formula.expression');
      return { message: res.body.errors[0].message as string, position: res.body.position as number, code: res.body.errors[0].code as string };
    };
    expect(await bad('amount * (gross_profit')).toMatchObject({ position: 23, message: expect.stringContaining("expected ')'") });
    expect(await bad('amount + amout')).toMatchObject({ position: 10, code: 'unknown_field', message: expect.stringContaining("unknown field 'amout' on opportunity") });
    expect(await bad("amount & 'x'")).toMatchObject({ code: 'formula_type', message: expect.stringContaining("'&' takes text") });
    expect(await bad('account.name.size')).toMatchObject({ code: 'invalid_path' });
    expect(await bad('sqrt(amount)')).toMatchObject({ code: 'unknown_function', message: expect.stringContaining('known: abs') });
    expect(await bad("amount; DROP TABLE obj_opportunity")).toMatchObject({ position: 7 });
    expect(await bad('amount > 1', 'currency')).toMatchObject({ message: expect.stringContaining('gives boolean') });
    expect(await bad('1'.repeat(2001))).toMatchObject({ message: expect.stringContaining('at most 2000 characters') });
    expect(await bad(`${'('.repeat(40)}1${')'.repeat(40)}`)).toMatchObject({ message: expect.stringContaining('deeper than') });
    const wrongType = await addField({ apiName: 'bad_type', label: 'Bad', type: 'formula', formula: { expression: '1', returnType: 'money' } });
    expect(wrongType.body.errors[0]).toMatchObject({ field: 'formula.returnType', code: 'invalid_choice' });
    const stored = await addField({ apiName: 'bad_unique', label: 'Bad', type: 'formula', unique: true, formula: { expression: '1', returnType: 'number' } });
    expect(stored.body.errors[0]).toMatchObject({ field: 'unique' });
    const rollup = await addField({ apiName: 'bad_rollup', label: 'Bad', type: 'rollup', rollup: { object: 'opportunity', lookup: 'lead', aggregate: 'sum', field: 'amount' } }, 'account');
    expect(rollup.body.errors[0]).toMatchObject({ field: 'rollup.lookup' });
    const rollupFilter = await addField({ apiName: 'bad_rollup', label: 'Bad', type: 'rollup', rollup: { object: 'opportunity', lookup: 'account', aggregate: 'count', filter: { field: 'nope', op: 'eq', value: 1 } } }, 'account');
    expect(rollupFilter.body.errors[0]).toMatchObject({ field: 'rollup.filter' });
    const rollupSum = await addField({ apiName: 'bad_rollup', label: 'Bad', type: 'rollup', rollup: { object: 'opportunity', lookup: 'account', aggregate: 'sum', field: 'name' } }, 'account');
    expect(rollupSum.body.errors[0]).toMatchObject({ field: 'rollup.field' });
  });

  it('change at once for every record, refuse to read themselves, and keep the fields they read', async () => {
    ok(await addField({ apiName: 'double_amount', label: 'Double', type: 'formula', formula: { expression: 'amount * 2', returnType: 'currency' } }));
    const deal = await buildOpportunity(admin, { amount: 10.5 });
    expect((await admin.request('GET', `/api/v1/opportunity/${deal.id}`)).body.double_amount).toBe(21);
    ok(await addField({ apiName: 'quad_amount', label: 'Quad', type: 'formula', formula: { expression: 'double_amount * 2', returnType: 'currency' } }));
    const changed = await admin.request('PATCH', '/api/v1/metadata/objects/opportunity/fields/double_amount', { body: { label: 'Triple', formula: { expression: 'amount * 3', returnType: 'currency' } } });
    expect(changed.status, changed.text).toBe(200);
    // What the web app's field form sends when relabelling.
    const relabelled = await admin.request('PATCH', '/api/v1/metadata/objects/opportunity/fields/double_amount', { body: { label: 'Times three', required: false, helpText: null, unique: false } });
    expect(relabelled.body).toMatchObject({ label: 'Times three', type: 'currency', formula: { expression: 'amount * 3' } });
    expect((await admin.request('PATCH', '/api/v1/metadata/objects/opportunity/fields/double_amount', { body: { type: 'text' } })).body.errors[0]).toMatchObject({ field: 'type', code: 'immutable' });
    expect((await admin.request('GET', `/api/v1/opportunity/${deal.id}`)).body).toMatchObject({ double_amount: 31.5, quad_amount: 63 });
    const cycle = await admin.request('PATCH', '/api/v1/metadata/objects/opportunity/fields/double_amount', { body: { formula: { expression: 'quad_amount + 1', returnType: 'currency' } } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.errors[0]).toMatchObject({ field: 'formula.expression', code: 'formula_cycle' });
    const used = await admin.request('DELETE', '/api/v1/metadata/objects/opportunity/fields/double_amount?confirm=true');
    expect(used.status).toBe(409);
    expect(used.body.detail).toContain('opportunity.quad_amount');
    ok(await admin.request('DELETE', '/api/v1/metadata/objects/opportunity/fields/quad_amount?confirm=true'));
    ok(await admin.request('DELETE', '/api/v1/metadata/objects/opportunity/fields/double_amount?confirm=true'));
  });
});

describe('roll-up summary fields', () => {
  it('count, sum and max the live children matching their filter, only those the reader can see', async () => {
    const account = await buildAccount(repA, { name: 'Roll-up Co' });
    ok(await admin.request('POST', `/api/v1/account/${account.id}/team`, { body: { userId: repB.id, access: 'read' } }));
    await buildOpportunity(repA, { account: account.id, amount: 1000 });
    await buildOpportunity(repA, { account: account.id, amount: 250.5 });
    await buildOpportunity(admin, { account: account.id, amount: 400, stage: 'closed_won', won_amount: 400, owner: repA.id });
    await buildOpportunity(admin, { account: account.id, amount: 777_777.77, owner: repB.id, name: 'Bravo Secret Deal' });
    const gone = await buildOpportunity(repA, { account: account.id, amount: 5 });
    ok(await repA.request('DELETE', `/api/v1/opportunity/${gone.id}`));

    const asAdmin = (await admin.request('GET', `/api/v1/account/${account.id}`)).body;
    expect(asAdmin).toMatchObject({ open_pipeline: 779_028.27, deal_count: 4, largest_won: 400 });
    const asA = await repA.request('GET', `/api/v1/account/${account.id}`);
    expect(asA.body).toMatchObject({ open_pipeline: 1250.5, deal_count: 3 });
    // The maximum reads the won amount, which the rep's profile hides: the roll-up is hidden too.
    expect(asA.body).not.toHaveProperty('largest_won');
    // The decimal point keeps the probe from matching a random id or timestamp.
    expect(asA.text).not.toContain('777777.77');
    const asB = (await repB.request('GET', `/api/v1/account/${account.id}`)).body;
    expect(asB).toMatchObject({ open_pipeline: 777_777.77, deal_count: 1 });

    const filtered = await repA.request('GET', `/api/v1/account?${new URLSearchParams({ filter: JSON.stringify({ field: 'deal_count', op: 'gte', value: 3 }), fields: 'name,deal_count', sort: '-open_pipeline' })}`);
    expect(filtered.status, filtered.text).toBe(200);
    expect(filtered.body.data).toEqual([expect.objectContaining({ name: 'Roll-up Co', deal_count: 3 })]);
    // Through a lookup path too, with the same visibility.
    const deals = await list(repA, { filter: JSON.stringify({ field: 'account.deal_count', op: 'eq', value: 3 }), fields: 'amount', sort: 'amount' });
    expect(deals.body.data.map((d: any) => d.amount)).toEqual([250.5, 400, 1000]);
    const empty = await buildAccount(admin, { name: 'No Deals Co' });
    expect((await admin.request('GET', `/api/v1/account/${empty.id}`)).body).toMatchObject({ open_pipeline: 0, deal_count: 0, largest_won: null });
  });

  it('summarise custom children, formula fields among them, and keep the child object while they do', async () => {
    ok(await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'site_visit', label: 'Site visit', pluralLabel: 'Site visits' } }));
    ok(await addField({ apiName: 'customer', label: 'Customer', type: 'lookup', lookup: { object: 'account', onDelete: 'cascade' } }, 'site_visit'));
    ok(await addField({ apiName: 'hours', label: 'Hours', type: 'number' }, 'site_visit'));
    ok(await addField({ apiName: 'billable', label: 'Billable', type: 'formula', formula: { expression: 'round(hours * 1.25, 1)', returnType: 'number' } }, 'site_visit'));
    ok(await addField({ apiName: 'longest_visit', label: 'Longest visit', type: 'rollup', rollup: { object: 'site_visit', lookup: 'customer', aggregate: 'max', field: 'billable' } }, 'account'));
    const account = await buildAccount(admin, { name: 'Visited Co' });
    for (const hours of [2, 7.5, 3]) ok(await admin.request('POST', '/api/v1/site_visit', { body: { name: `Visit ${hours}`, customer: account.id, hours } }));
    expect((await admin.request('GET', `/api/v1/account/${account.id}`)).body.longest_visit).toBe(9.4);
    const refused = await admin.request('DELETE', '/api/v1/metadata/objects/site_visit?confirm=true');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('account.longest_visit');
    ok(await admin.request('DELETE', '/api/v1/metadata/objects/account/fields/longest_visit?confirm=true'));
    ok(await admin.request('DELETE', '/api/v1/metadata/objects/site_visit?confirm=true'));
  });
});
