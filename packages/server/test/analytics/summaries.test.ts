import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildOpportunity } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { actorFor } from '../../src/platform/auth/sessions.ts';
import { loadAccessInfo } from '../../src/platform/access/info.ts';
import { parseAggregateSpec } from '../../src/modules/analytics/aggregate/spec.ts';
import { runAggregateSpec } from '../../src/modules/analytics/aggregate/run.ts';
import { corporateRates, forgetRates } from '../../src/modules/analytics/aggregate/rates.ts';
import { planSummary } from '../../src/modules/analytics/summaries/plan.ts';
import { summaryOf } from '../../src/modules/analytics/summaries/declared.ts';
import { compactSummary, rebuildSummary } from '../../src/modules/analytics/summaries/store.ts';

/**
 * Issue 16 item 11: questions that group and filter only by a summary's fields read the summary
 * the record pipeline keeps instead of every record — with exactly the records' answer, for an
 * admin and for a rep who sees their own deals plus a team's, through creates, updates, deletions
 * and restores; money only while every kept amount converts by the identity.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let other: TestUser;
const stages = ['prospecting', 'qualification', 'needs_analysis'];
const deals: Array<{ id: string }> = [];

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  other = await server.createUser();
  await createRepProfile(admin, {});
  for (const u of [rep, other]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } }));
  for (let i = 0; i < 18; i++) {
    deals.push(await buildOpportunity(i % 3 ? rep : other, {
      name: `Deal ${i}`, stage: stages[i % 3], amount: i % 7 === 6 ? null : Number((0.05 + i * 13.1).toFixed(2)),
      close_date: `2027-${String(1 + (i % 5)).padStart(2, '0')}-${String(1 + ((i * 7) % 28)).padStart(2, '0')}`,
    }));
  }
  // The rep sees one of the other rep's deals through its record team: the records' part of a summary answer.
  ok(await admin.request('POST', `/api/v1/opportunity/${deals[0]!.id}/team`, { body: { userId: rep.id, access: 'read' } }));
});
afterAll(async () => server?.close());

async function contextOf(user: TestUser, profile: string) {
  const actor = actorFor({ id: user.id, email: '', profile, active: true, time_zone: 'Europe/Berlin', locale: 'en-US', full_name: '' } as never, 'api');
  actor.access = await loadAccessInfo(server.platform, { id: user.id, profile });
  return { platform: server.platform, actor };
}

const QUESTIONS = [
  { groupBy: ['stage', { field: 'close_date', bucket: 'month' }], measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }, { fn: 'avg', field: 'amount' }, { fn: 'count', field: 'amount' }] },
  { groupBy: ['owner'], measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }], sort: ['-sum:amount'] },
  { filter: { and: [{ field: 'stage', op: 'in', value: ['prospecting', 'qualification'] }, { field: 'close_date', op: 'gte', value: '2027-02-01' }] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }] },
  { groupBy: [{ field: 'close_date', bucket: 'quarter' }], measures: [{ fn: 'count' }], having: [{ measure: 'count', op: 'gte', value: 2 }] },
];

/** Each question through the summary and through the records: the same answer, totals included. */
async function expectSummaryAnswers(label: string, expectSummary = true) {
  for (const [user, profile] of [[admin, 'admin'], [rep, 'rep']] as const) {
    const ctx = await contextOf(user, profile);
    const opportunity = server.platform.registry.requireObject('opportunity');
    for (const [q, input] of QUESTIONS.entries()) {
      const spec = parseAggregateSpec({ actor: ctx.actor, registry: server.platform.registry, object: opportunity, input, maxGroups: 10_000 });
      const rates = await corporateRates(ctx as never, ['USD', 'EUR']);
      const plan = await planSummary({ ctx: ctx as never, spec, rates });
      const money = input.measures.some((m) => m.fn !== 'count');
      expect(!!plan, `${label}: ${profile} question ${q} reads the summary`).toBe(expectSummary || !money);
      if (profile === 'rep' && plan) expect(plan.records, 'the rep’s team deals come from the records').toBeDefined();
      for (const totals of [undefined, { columnGroup: false }]) {
        const fromRecords = await runAggregateSpec({ ctx: ctx as never, spec, totals, records: true });
        const answer = await runAggregateSpec({ ctx: ctx as never, spec, totals });
        expect(fromRecords.rows.length, `${label}: ${profile} question ${q}`).toBeGreaterThan(0);
        expect(answer, `${label}: ${profile} question ${q} totals ${!!totals}`).toEqual(fromRecords);
      }
    }
  }
}

describe('summaries', () => {
  it('answer grouped questions exactly as the records do, for an admin and for a rep', async () => {
    await expectSummaryAnswers('as created');
    // The rep sees their own deals and the team deal, not the other rep's others.
    const ctx = await contextOf(rep, 'rep');
    const spec = parseAggregateSpec({ actor: ctx.actor, registry: server.platform.registry, object: server.platform.registry.requireObject('opportunity'), input: { measures: [{ fn: 'count' }] }, maxGroups: 10 });
    expect((await runAggregateSpec({ ctx: ctx as never, spec })).rows).toEqual([{ count: 13 }]);
  });

  it('follow updates, deletions and restores through the record pipeline, folded or not', async () => {
    ok(await admin.request('PATCH', `/api/v1/opportunity/${deals[1]!.id}`, { body: { stage: 'needs_analysis', amount: 999.99 } }));
    ok(await admin.request('PATCH', `/api/v1/opportunity/${deals[2]!.id}`, { body: { close_date: '2027-09-30' } }));
    ok(await admin.request('PATCH', `/api/v1/opportunity/${deals[4]!.id}`, { body: { owner: other.id } }));
    ok(await admin.request('PATCH', `/api/v1/opportunity/${deals[5]!.id}`, { body: { name: 'Renamed, figures unchanged' } }));
    expect((await admin.request('DELETE', `/api/v1/opportunity/${deals[7]!.id}`)).status).toBe(204);
    await expectSummaryAnswers('after updates and a deletion');
    const summary = summaryOf(server.platform.registry, server.platform.registry.requireObject('opportunity'))!;
    const folded = await compactSummary(server.platform.db, summary);
    expect(folded.after).toBeLessThan(folded.before);
    const bin = await admin.request('GET', '/api/v1/recycle-bin');
    const entry = bin.body.data.find((e: { recordId: string }) => e.recordId === deals[7]!.id);
    ok(await admin.request('POST', `/api/v1/recycle-bin/${entry.id}/restore`));
    await expectSummaryAnswers('after folding and a restore');
    expect(await rebuildSummary(server.platform.db, summary)).toEqual({ drifted: false });
    // A write around the record pipeline is what the nightly recount finds.
    await sql`UPDATE ${sql.table(summary.object.table)} SET amount = amount + 1 WHERE id = ${deals[3]!.id}`.execute(server.platform.db);
    expect(await rebuildSummary(server.platform.db, summary)).toEqual({ drifted: true });
    await expectSummaryAnswers('after the recount');
  });

  it('leave money to the records once an amount converts at a rate other than 1', async () => {
    await buildOpportunity(rep, { name: 'Euro deal', stage: 'prospecting', amount: 0.05, currency: 'EUR', close_date: '2027-01-15' });
    await buildOpportunity(rep, { name: 'Euro deal 2', stage: 'prospecting', amount: 0.05, currency: 'EUR', close_date: '2027-01-16' });
    // No EUR rate yet: those amounts are left out either way (and counted as unconverted).
    await expectSummaryAnswers('with unconvertible EUR');
    ok(await admin.request('POST', '/api/v1/exchange_rate', { body: { rate_date: '2020-01-01', from_currency: 'EUR', to_currency: 'USD', rate: 1.1 } }));
    forgetRates(server.platform);
    await expectSummaryAnswers('with EUR at 1.1', false);
  });
});
