import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { analyticsSettings } from '../../src/modules/analytics/settings.ts';
import { corporateRates, forgetRates } from '../../src/modules/analytics/aggregate/rates.ts';
import { compileAggregate, preAggregates } from '../../src/modules/analytics/aggregate/compile.ts';
import { parseAggregateSpec } from '../../src/modules/analytics/aggregate/spec.ts';
import { actorFor } from '../../src/platform/auth/sessions.ts';
import { loadAccessInfo } from '../../src/platform/access/info.ts';

/**
 * Issue 16 items 1 and 10: the aggregate API groups by fields, lookup paths and date buckets in
 * the caller's zone, measures in SQL, converts money to the corporate currency, counts only what
 * the caller's list shows, and refuses bad questions naming the field.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let other: TestUser;
const tag = `agg${Date.now()}`;
const mine = { field: 'name', op: 'startsWith', value: tag };

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  other = await server.createUser();
  await createRepProfile(admin, { opportunity: { won_amount: 'hidden' }, account: { annual_revenue: 'hidden' } });
  ok(await admin.request('POST', '/api/v1/metadata/objects/opportunity/fields', { body: { apiName: 'audit', label: 'Audit', type: 'lookup', lookup: { object: 'audit_case' } } }));
  for (const u of [rep, other]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  for (const o of ['account', 'opportunity']) ok(await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } }));
  const energy = await buildAccount(rep, { industry: 'energy' });
  const retail = await buildAccount(rep, { industry: 'retail' });
  const hidden = await buildAccount(other, { industry: 'finance' });
  await buildOpportunity(rep, { account: energy.id, amount: 100.1, stage: 'prospecting', close_date: '2027-01-10', name: `${tag} deal` });
  await buildOpportunity(rep, { account: energy.id, amount: 200.2, stage: 'prospecting', close_date: '2027-02-10', name: `${tag} deal` });
  await buildOpportunity(rep, { account: retail.id, amount: 50, stage: 'qualification', close_date: '2027-02-11', name: `${tag} deal` });
  // Another rep's deal on an account the rep cannot see: never counted for the rep.
  await buildOpportunity(other, { account: hidden.id, amount: 999_999.99, stage: 'prospecting', close_date: '2027-01-12', name: `${tag} deal` });
});
afterAll(async () => server?.close());

const aggregate = (user: TestUser, body: unknown, object = 'opportunity') => user.request('POST', `/api/v1/${object}/aggregate`, { body });

describe('the aggregate API', () => {
  it('groups by a field and measures count, sum, avg, min, max — only what the caller may see', async () => {
    const body = { filter: mine, groupBy: ['stage'], measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }, { fn: 'avg', field: 'amount' }, { fn: 'min', field: 'close_date' }, { fn: 'max', field: 'amount' }] };
    const res = await aggregate(rep, body);
    expect(res.status, res.text).toBe(200);
    expect(res.body.rows).toEqual([
      { stage: 'prospecting', count: 2, 'sum:amount': '300.30', 'avg:amount': '150.15', 'min:close_date': '2027-01-10', 'max:amount': '200.20' },
      { stage: 'qualification', count: 1, 'sum:amount': '50.00', 'avg:amount': '50.00', 'min:close_date': '2027-02-11', 'max:amount': '50.00' },
    ]);
    expect(res.body.columns.find((c: { key: string }) => c.key === 'sum:amount')).toMatchObject({ kind: 'measure', currency: 'USD' });
    expect(JSON.stringify(res.body)).not.toContain('999999.99');
    const all = await aggregate(admin, body);
    expect(all.body.rows[0]).toMatchObject({ stage: 'prospecting', count: 3, 'sum:amount': '1000300.29' });
  });

  it('groups by a path through a lookup, with display names only for visible records', async () => {
    const res = await aggregate(rep, { filter: mine, groupBy: ['account.industry'], measures: [{ fn: 'count' }, { fn: 'count_distinct', field: 'account' }], sort: ['-count'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.rows).toEqual([{ 'account.industry': 'energy', count: 2, 'count_distinct:account': 1 }, { 'account.industry': 'retail', count: 1, 'count_distinct:account': 1 }]);
    const byAccount = await aggregate(rep, { filter: mine, groupBy: ['account'] });
    expect(Object.values(byAccount.body.display.account)).toHaveLength(2);
  });

  it('buckets dates by month, and date-times in the caller’s zone across a DST change', async () => {
    const res = await aggregate(rep, { filter: mine, groupBy: [{ field: 'close_date', bucket: 'month' }], measures: [{ fn: 'sum', field: 'amount' }] });
    expect(res.body.rows).toEqual([{ 'close_date:month': '2027-01-01', 'sum:amount': '100.10' }, { 'close_date:month': '2027-02-01', 'sum:amount': '250.20' }]);
    const berlin = await server.createUser();
    ok(await admin.request('PATCH', `/api/v1/user/${berlin.id}`, { body: { time_zone: 'Europe/Berlin' } }));
    const dst = `dst${Date.now()}`;
    // 2026-03-29 01:30 UTC is 03:30 CEST (after the spring change); 2026-03-28 23:30 UTC is 00:30 CET on the 29th.
    for (const at of ['2026-03-28T22:30:00Z', '2026-03-28T23:30:00Z', '2026-03-29T01:30:00Z', '2026-03-29T22:30:00Z']) {
      await buildRecord(berlin, 'meeting', { subject: dst, start_at: at });
    }
    const days = await aggregate(berlin, { filter: { field: 'subject', op: 'eq', value: dst }, groupBy: [{ field: 'start_at', bucket: 'day' }] }, 'meeting');
    expect(days.status, days.text).toBe(200);
    expect(days.body.rows).toEqual([{ 'start_at:day': '2026-03-28', count: 1 }, { 'start_at:day': '2026-03-29', count: 2 }, { 'start_at:day': '2026-03-30', count: 1 }]);
  });

  it('converts other currencies into the corporate currency at the latest rate, and says what it could not convert', async () => {
    const conv = `fx${Date.now()}`;
    await buildOpportunity(admin, { amount: 100, currency: 'EUR', name: `${conv} deal` });
    await buildOpportunity(admin, { amount: 10, currency: 'USD', name: `${conv} deal` });
    await buildOpportunity(admin, { amount: 5, currency: 'ZAR', name: `${conv} deal` });
    ok(await admin.request('POST', '/api/v1/exchange_rate', { body: { rate_date: '2020-01-01', from_currency: 'EUR', to_currency: 'USD', rate: 1.1 } }));
    forgetRates(server.platform);
    const res = await aggregate(admin, { filter: { field: 'name', op: 'startsWith', value: conv }, measures: [{ fn: 'sum', field: 'amount' }, { fn: 'count' }] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.rows).toEqual([{ 'sum:amount': '120.00', count: 3 }]);
    expect(res.body.warnings[0]).toContain('1 record(s)');
    // Each amount is converted and rounded to the cent before the sum, as the forecast does:
    // two EUR 0.05 deals at 1.1 are 0.06 + 0.06 = 0.12 (rounding the total would give 0.11).
    const cents = `${conv}c`;
    for (let i = 0; i < 2; i++) await buildOpportunity(admin, { amount: 0.05, currency: 'EUR', name: `${cents} deal` });
    const rounded = await aggregate(admin, { filter: { field: 'name', op: 'startsWith', value: cents }, measures: [{ fn: 'sum', field: 'amount' }] });
    expect(rounded.body.rows).toEqual([{ 'sum:amount': '0.12' }]);
  });

  it('refuses hidden fields, paths through unreadable objects, and measures that do not fit the field', async () => {
    const hidden = await aggregate(rep, { groupBy: ['won_amount'] });
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors[0]).toMatchObject({ field: 'groupBy[0]', code: 'unknown_field' });
    const hiddenPath = await aggregate(rep, { measures: [{ fn: 'sum', field: 'account.annual_revenue' }] });
    expect(hiddenPath.body.errors[0]).toMatchObject({ field: 'measures[0].field', code: 'unknown_field' });
    const unreadable = await aggregate(rep, { groupBy: ['audit.name'] });
    expect(unreadable.status).toBe(400);
    expect(unreadable.body.errors[0].field).toBe('groupBy[0]');
    const unreadableLookup = await aggregate(rep, { groupBy: ['audit'] });
    expect(unreadableLookup.body.errors[0].code).toBe('unknown_field');
    const text = await aggregate(rep, { measures: [{ fn: 'sum', field: 'name' }] });
    expect(text.body.errors[0]).toMatchObject({ field: 'measures[0].field', code: 'not_numeric' });
    const bucket = await aggregate(rep, { groupBy: [{ field: 'stage', bucket: 'month' }] });
    expect(bucket.body.errors[0]).toMatchObject({ field: 'groupBy[0].bucket', code: 'not_a_date' });
    const sort = await aggregate(rep, { groupBy: ['stage'], sort: ['amount'] });
    expect(sort.body.errors[0]).toMatchObject({ field: 'sort[0]', code: 'unknown_key' });
    const filter = await aggregate(rep, { filter: { field: 'won_amount', op: 'gt', value: 1 } });
    expect(filter.body.errors[0]).toMatchObject({ field: 'filter' });
    const noObject = await aggregate(rep, {}, 'audit_case');
    expect(noObject.status).toBe(403);
  });

  it('filters groups with having and caps the number of groups with a clear problem', async () => {
    const having = await aggregate(rep, { filter: mine, groupBy: ['stage'], having: [{ measure: 'count', op: 'gte', value: 2 }] });
    expect(having.body.rows).toEqual([{ stage: 'prospecting', count: 2 }]);
    overrideSettings(server.platform, analyticsSettings, { maxGroups: 10 });
    try {
      const many = `many${Date.now()}`;
      await Promise.all(Array.from({ length: 11 }, (_, i) => buildRecord(admin, 'task', { subject: `${many} ${i}` })));
      const capped = await aggregate(admin, { filter: { field: 'subject', op: 'startsWith', value: many }, groupBy: ['subject'] }, 'task');
      expect(capped.status).toBe(422);
      expect(capped.headers['content-type']).toContain('application/problem+json');
      expect(capped.body.errors[0]).toMatchObject({ field: 'groupBy', code: 'too_many_groups' });
      const limited = await aggregate(admin, { filter: { field: 'subject', op: 'startsWith', value: many }, groupBy: ['subject'], limit: 5 }, 'task');
      expect(limited.body).toMatchObject({ truncated: true });
      expect(limited.body.rows).toHaveLength(5);
    } finally {
      overrideSettings(server.platform, analyticsSettings, { maxGroups: 10_000 });
    }
  });
  it('pre-aggregates date buckets (raw days first) with the same answer as row by row, totals, money and access included', async () => {
    const pre = `pre${Date.now()}`;
    const stages = ['prospecting', 'qualification', 'needs_analysis'];
    ok(await admin.request('POST', '/api/v1/exchange_rate', { body: { rate_date: '2020-01-02', from_currency: 'EUR', to_currency: 'USD', rate: 1.1 } }));
    forgetRates(server.platform);
    for (let i = 0; i < 24; i++) {
      await buildOpportunity(i % 3 ? rep : other, {
        name: `${pre} ${i}`, stage: stages[i % 3], amount: i % 5 === 4 && i % 3 === 0 ? null : Number((0.05 + i * 7.3).toFixed(2)), currency: i % 4 === 0 ? 'EUR' : 'USD',
        probability: (i * 10) % 100, close_date: `2027-${String(1 + (i % 7)).padStart(2, '0')}-${String(1 + ((i * 5) % 28)).padStart(2, '0')}`,
      });
    }
    const filter = { field: 'name', op: 'startsWith', value: pre };
    const measures = [{ fn: 'count' }, { fn: 'count', field: 'amount' }, { fn: 'sum', field: 'amount' }, { fn: 'avg', field: 'amount' }, { fn: 'avg', field: 'probability' }, { fn: 'min', field: 'close_date' }, { fn: 'max', field: 'amount' }];
    const questions = [
      { filter, groupBy: [{ field: 'close_date', bucket: 'month' }], measures },
      { filter, groupBy: ['stage', { field: 'close_date', bucket: 'quarter' }], measures, sort: ['-sum:amount'] },
      { filter, groupBy: [{ field: 'close_date', bucket: 'week' }, 'owner'], measures, having: [{ measure: 'count', op: 'gte', value: 1 }] },
    ];
    const platform = server.platform;
    const opportunity = platform.registry.requireObject('opportunity');
    for (const [who, profile] of [[admin.id, 'admin'], [rep.id, 'rep']] as const) {
      const actor = actorFor({ id: who, email: '', profile, active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' } as never, 'api');
      actor.access = await loadAccessInfo(platform, { id: who, profile });
      const ctx = { platform, actor };
      for (const [q, input] of questions.entries()) {
        const spec = parseAggregateSpec({ actor, registry: platform.registry, object: opportunity, input, maxGroups: 10_000 });
        expect(preAggregates(spec), `question ${q}`).toBe(true);
        const rates = await corporateRates(ctx as never, ['USD', 'EUR']);
        for (const totals of [undefined, { columnGroup: false }, { columnGroup: true }]) {
          const run = async (preAggregate: boolean) => (await compileAggregate({ ctx: ctx as never, spec, rates, limit: 1000, totals, preAggregate }).query.execute(platform.db)).rows;
          const rowByRow = await run(false);
          expect(rowByRow.length, `${who} question ${q}`).toBeGreaterThan(0);
          expect(await run(true), `${profile} question ${q} totals ${JSON.stringify(totals)}`).toEqual(rowByRow);
        }
      }
    }
    // Count distinct does not combine from partials; a text grouping may have as many values as rows.
    const spec = (input: unknown) => parseAggregateSpec({ actor: actorFor({ id: admin.id, email: '', profile: 'admin', active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' } as never, 'api'), registry: platform.registry, object: opportunity, input, maxGroups: 10_000 });
    expect(preAggregates(spec({ groupBy: [{ field: 'close_date', bucket: 'month' }], measures: [{ fn: 'count_distinct', field: 'account' }] }))).toBe(false);
    expect(preAggregates(spec({ groupBy: [{ field: 'close_date', bucket: 'month' }, 'name'] }))).toBe(false);
    expect(preAggregates(spec({ groupBy: ['stage'] }))).toBe(false);
  });
});
