import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity } from '../factories.ts';
import { todayIn } from '../../src/platform/dates.ts';

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
});
