import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity } from '../factories.ts';
import fc from 'fast-check';
import { sql } from 'kysely';
import { todayIn } from '../../src/platform/dates.ts';
import { summarizeBoard } from '../../src/modules/sales/queries/boardSummary.ts';
import { compactBoardTotals, rebuildBoardTotals } from '../../src/modules/sales/queries/boardTotals.ts';
import { systemActor } from '../../src/platform/records/context.ts';

// Issue 17 item 9: the board's column headers come from the server (all deals, not the cards
// loaded), under the reader's access; closing a deal moves a future close date to today.
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let account: string;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  expect((await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } })).status).toBe(200);
  rep = await server.createUser();
  account = (await buildAccount(admin, { name: 'Board Summary Ltd' })).id;
});
afterAll(async () => server?.close());

const summary = async (user: TestUser, filter?: unknown) => {
  const res = await user.request('POST', '/api/v1/sales/board-summary', { body: filter === undefined ? {} : { filter } });
  expect(res.status).toBe(200);
  return res.body.stages as Array<{ stage: string | null; count: number; totals: Array<{ currency: string; amount: number; weighted: number }> | null }>;
};
const onAccount = { field: 'account', op: 'eq', value: '' };

describe('board summary', () => {
  it('counts and sums every deal per stage and currency, exactly, beyond one page of cards', async () => {
    for (let i = 0; i < 30; i++) await buildOpportunity(admin, { account, stage: 'proposal', amount: 1000.1, probability: 33, currency: 'USD' });
    await buildOpportunity(admin, { account, stage: 'proposal', amount: 500, probability: 50, currency: 'EUR' });
    await buildOpportunity(admin, { account, stage: 'qualification', amount: 43500, probability: 20, currency: 'USD' });
    const stages = await summary(admin, { ...onAccount, value: account });
    const proposal = stages.find((s) => s.stage === 'proposal')!;
    expect(proposal.count).toBe(31);
    // 30 × 1000.10 = 30003.00; 30 × round(1000.10 × 0.33, 2) = 30 × 330.03 = 9900.90
    expect(proposal.totals).toEqual([{ currency: 'EUR', amount: 500, weighted: 250 }, { currency: 'USD', amount: 30003, weighted: 9900.9 }]);
    expect(stages.find((s) => s.stage === 'qualification')).toEqual({ stage: 'qualification', count: 1, totals: [{ currency: 'USD', amount: 43500, weighted: 8700 }] });
  });

  it("excludes deals a restricted rep cannot see and applies the board's filter", async () => {
    await buildOpportunity(rep, { account, stage: 'negotiation', amount: 200, probability: 90, currency: 'USD' });
    await buildOpportunity(admin, { account, stage: 'negotiation', amount: 9999, probability: 90, currency: 'USD' });
    const theirs = await summary(rep, { ...onAccount, value: account });
    expect(theirs).toEqual([{ stage: 'negotiation', count: 1, totals: [{ currency: 'USD', amount: 200, weighted: 180 }] }]);
    const all = await summary(admin, { ...onAccount, value: account });
    expect(all.find((s) => s.stage === 'negotiation')).toMatchObject({ count: 2, totals: [{ currency: 'USD', amount: 10199 }] });
    const filtered = await summary(admin, { and: [{ ...onAccount, value: account }, { field: 'amount', op: 'gt', value: 5000 }] });
    expect(filtered.map((s) => [s.stage, s.count])).toEqual([['negotiation', 1], ['qualification', 1]]);
  });

  it('refuses a bad filter with a field error', async () => {
    const res = await admin.request('POST', '/api/v1/sales/board-summary', { body: { filter: { field: 'nope', op: 'eq', value: 1 } } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('filter');
  });

  it('moves a future close date to today when a deal is closed, keeps a past one', async () => {
    const today = todayIn('UTC', new Date());
    const future = await buildOpportunity(admin, { account, close_date: '2027-12-31', amount: 100 });
    const lost = await admin.request('POST', `/api/v1/opportunity/${future.id}/close`, { body: { outcome: 'lost', lostReason: 'timing' } });
    expect(lost.status).toBe(200);
    expect(lost.body.opportunity.close_date).toBe(today);
    const past = await buildOpportunity(admin, { account, close_date: '2020-01-15', amount: 100 });
    const won = await admin.request('PATCH', `/api/v1/opportunity/${past.id}`, { body: { stage: 'closed_won' } });
    expect(won.status).toBe(200);
    expect(won.body.close_date).toBe('2020-01-15');
  });

  // Issue 17 item 17: an unrestricted, unfiltered reader gets the totals the deal hooks keep; they
  // must equal the grouped query over the deals after any sequence of writes, folds and recounts.
  it('keeps the stage totals equal to the grouped deals through creates, changes, deletes, restores and folds', async () => {
    const ctx = { platform: server.platform, actor: systemActor('api') };
    const kept = async () => (await summarizeBoard({ ctx })).stages;
    const grouped = async () => (await summarizeBoard({ ctx, grouped: true })).stages;
    const table = server.platform.registry.requireObject('opportunity').table;
    const deals: string[] = [];
    const done = { change: 0, delete: 0, restore: 0 };
    // A few deals to change from the first step on, whatever the generated creates.
    for (const [stage, currency, amount] of [['prospecting', 'USD', 100.1], ['proposal', 'EUR', 2500], ['qualification', 'USD', null], ['negotiation', 'GBP', 99.99]] as const) {
      deals.push((await buildOpportunity(admin, { account, stage, currency, amount, probability: 35 })).id);
    }
    const op = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), stage: fc.constantFrom('prospecting', 'qualification', 'proposal', 'negotiation'), amount: fc.option(fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100)), probability: fc.option(fc.integer({ min: 0, max: 100 })), currency: fc.constantFrom('USD', 'EUR') }),
      fc.record({ kind: fc.constant('change' as const), pick: fc.nat(), values: fc.record({ stage: fc.constantFrom('qualification', 'needs_analysis', 'proposal', 'closed_won'), amount: fc.option(fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100)), probability: fc.integer({ min: 0, max: 100 }), currency: fc.constantFrom('USD', 'EUR', 'GBP') }, { requiredKeys: [] }) }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('restore' as const) }),
      fc.record({ kind: fc.constant('fold' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) {
          if (o.kind === 'create') {
            const res = await admin.request('POST', '/api/v1/opportunity', { body: { name: `Totals ${deals.length}`, account, close_date: '2027-03-01', stage: o.stage, amount: o.amount, probability: o.probability, currency: o.currency } });
            if (res.status === 201) deals.push(res.body.id);
          } else if (o.kind === 'change' && deals.length) {
            if ((await admin.request('PATCH', `/api/v1/opportunity/${deals[o.pick % deals.length]}`, { body: o.values })).status === 200) done.change++;
          } else if (o.kind === 'delete' && deals.length) {
            if ((await admin.request('DELETE', `/api/v1/opportunity/${deals[o.pick % deals.length]}`)).status === 204) done.delete++;
          } else if (o.kind === 'restore') {
            const bin = await admin.request('GET', '/api/v1/recycle-bin');
            const entry = bin.body.data.find((e: { object: string }) => e.object === 'opportunity');
            if (entry && (await admin.request('POST', `/api/v1/recycle-bin/${entry.id}/restore`)).status === 200) done.restore++;
          } else if (o.kind === 'fold') {
            await compactBoardTotals(server.platform.db);
          }
        }
        expect(await kept()).toEqual(await grouped());
      }),
      // The random draws need not delete before they restore; this first sequence always changes,
      // deletes, restores and folds, so the assertion below never depends on the draw.
      { numRuns: 8, examples: [[[{ kind: 'change', pick: 1, values: { stage: 'needs_analysis', amount: 12.34 } }, { kind: 'delete', pick: 0 }, { kind: 'fold' }, { kind: 'restore' }, { kind: 'change', pick: 0, values: { currency: 'GBP' } }]]] },
    );
    // The sequences did write: deals were changed, deleted and restored.
    expect(Math.min(done.change, done.delete, done.restore)).toBeGreaterThan(0);
    // A fold leaves one row per stage and currency; a recount finds nothing to correct.
    await compactBoardTotals(server.platform.db);
    expect(await kept()).toEqual(await grouped());
    expect(await rebuildBoardTotals(server.platform.db, table)).toEqual({ drifted: false });
    // A write around the pipeline is caught and corrected by the recount.
    await sql`UPDATE ${sql.table(table)} SET amount = coalesce(amount, 0) + 1 WHERE id = (SELECT id FROM ${sql.table(table)} WHERE deleted_at IS NULL LIMIT 1)`.execute(server.platform.db);
    expect(await rebuildBoardTotals(server.platform.db, table)).toEqual({ drifted: true });
    expect(await kept()).toEqual(await grouped());
  });
});
