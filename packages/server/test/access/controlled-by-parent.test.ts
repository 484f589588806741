import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity } from '../factories.ts';
import { ok } from './fixture.ts';

/**
 * Detail records follow their parent's access (ObjectDefinition.accessFrom): a deal's stage
 * changes are seen by whoever may see the deal — not by whoever moved it, and not through the
 * stage history's own sharing setting. Before, with deals private, a rep listed every stage change
 * (amounts at change included) of deals they could not open.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let peer: TestUser;
let mine: string;
let theirs: string;

const historyOf = async (user: TestUser, deals: string[]) => {
  const res = await user.request('POST', '/api/v1/opportunity_stage_history/query', { body: { filter: { field: 'opportunity', op: 'in', value: deals }, limit: 200 } });
  expect(res.status, res.text).toBe(200);
  return res.body.data as Array<{ id: string; opportunity: string | { id: string } }>;
};
const dealOf = (row: { opportunity: string | { id: string } }) => (typeof row.opportunity === 'string' ? row.opportunity : row.opportunity.id);

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  peer = await server.createUser();
  ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } }));
  const account = await buildAccount(admin);
  // The admin creates and moves both deals: the history rows are the admin's, the deals the reps'.
  mine = (await buildOpportunity(admin, { name: 'Rep deal', owner: rep.id, account: account.id, amount: 100, stage: 'prospecting' })).id;
  theirs = (await buildOpportunity(admin, { name: 'Peer deal', owner: peer.id, account: account.id, amount: 9999, stage: 'prospecting' })).id;
  for (const id of [mine, theirs]) ok(await admin.request('PATCH', `/api/v1/opportunity/${id}`, { body: { stage: 'qualification' } }));
});
afterAll(async () => server?.close());

describe('detail records follow their parent', () => {
  it('a rep sees the stage changes of the deals they may see, and only those', async () => {
    const repRows = await historyOf(rep, [mine, theirs]);
    expect(repRows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(repRows.map(dealOf))).toEqual(new Set([mine]));
    expect(new Set((await historyOf(peer, [mine, theirs])).map(dealOf))).toEqual(new Set([theirs]));
    const hidden = (await historyOf(admin, [theirs]))[0]!;
    expect((await rep.request('GET', `/api/v1/opportunity_stage_history/${hidden.id}`)).status).toBe(404);
    // Aggregates go through the same condition.
    const counted = await rep.request('POST', '/api/v1/opportunity_stage_history/aggregate', { body: { filter: { field: 'opportunity', op: 'in', value: [mine, theirs] }, measures: [{ fn: 'count' }] } });
    expect(counted.status, counted.text).toBe(200);
    expect(Number(counted.body.rows[0].count)).toBe(repRows.length);
  });

  it("opening the parent opens its details; the detail's own sharing setting is refused, naming the parent", async () => {
    ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'public_read' } }));
    try {
      expect(new Set((await historyOf(rep, [mine, theirs])).map(dealOf))).toEqual(new Set([mine, theirs]));
    } finally {
      ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } }));
    }
    expect(new Set((await historyOf(rep, [mine, theirs])).map(dealOf))).toEqual(new Set([mine]));
    const refused = await admin.request('PUT', '/api/v1/sharing-settings/opportunity_stage_history', { body: { sharing: 'public_read' } });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'sharing', code: 'controlled_by_parent' });
    expect(refused.body.errors[0].message).toContain('opportunity');
    // The settings list says which objects follow a parent, so the admin page offers no choice there.
    const settings = (await admin.request('GET', '/api/v1/sharing-settings')).body.data as Array<{ object: string; controlledBy?: string }>;
    expect(settings.find((x) => x.object === 'opportunity_stage_history')?.controlledBy).toBe('opportunity');
    expect(settings.find((x) => x.object === 'invoice_line')?.controlledBy).toBe('invoice');
    expect(settings.find((x) => x.object === 'opportunity')?.controlledBy).toBeUndefined();
  });
});
