import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildOpportunity, buildRecord } from '../factories.ts';
import { skippedStages } from '../../src/modules/sales/rules/stageOrder.ts';
import { DEFAULT_STAGES } from '../../src/modules/sales/domain/stageMachine.ts';

/** Seed 003: pipelines that require their stages in order (issue 10, item 11). */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let lead: TestUser;
let strict: string;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  lead = await server.createUser();
  const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBeLessThan(300);
  ok(await admin.request('POST', '/api/v1/profiles', { body: { name: 'team_lead', label: 'Team lead', permissions: { default: { read: true, create: true, edit: true, delete: true }, capabilities: ['sales.skip_stages'] } } }));
  ok(await admin.request('PATCH', `/api/v1/user/${lead.id}`, { body: { profile: 'team_lead' } }));
  const pipeline = await buildRecord(admin, 'pipeline', { name: 'Strict', require_stage_order: true });
  strict = pipeline.id;
  const stages = (await admin.request('GET', '/api/v1/pipeline_stage?sort=order&limit=20')).body.data.filter((s: any) => s.pipeline !== strict);
  for (const s of stages.slice(0, 8)) {
    const { id: _id, pipeline: _p, owner: _o, created_at: _c, updated_at: _u, created_by: _cb, updated_by: _ub, version: _v, ...rest } = s;
    ok(await admin.request('POST', '/api/v1/pipeline_stage', { body: { ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)), pipeline: strict } }));
  }
});
afterAll(async () => server?.close());

const patch = (user: TestUser, id: string, body: Record<string, unknown>) => user.request('PATCH', `/api/v1/opportunity/${id}`, { body });
const history = async (id: string) =>
  (await admin.request('GET', `/api/v1/opportunity_stage_history?sort=changed_at,id&filter=${encodeURIComponent(JSON.stringify({ field: 'opportunity', op: 'eq', value: id }))}`)).body.data;

describe('stages in order', () => {
  it('counts only the open stages passed over; losing skips nothing', () => {
    const [prospecting, qualification, , , negotiation, won, , lost] = DEFAULT_STAGES;
    expect(skippedStages(DEFAULT_STAGES, prospecting, qualification!)).toEqual([]);
    expect(skippedStages(DEFAULT_STAGES, prospecting, won!).map((s) => s.api_value)).toEqual(['qualification', 'needs_analysis', 'proposal', 'negotiation']);
    expect(skippedStages(DEFAULT_STAGES, negotiation, won!)).toEqual([]);
    expect(skippedStages(DEFAULT_STAGES, prospecting, lost!)).toEqual([]);
    expect(skippedStages(DEFAULT_STAGES, undefined, qualification!).map((s) => s.api_value)).toEqual(['prospecting']);
  });

  it('refuses a forward skip for a rep, step by step works, and losing is allowed from anywhere', async () => {
    const opp = await buildOpportunity(rep, { pipeline: strict, amount: 1000 });
    const skip = await patch(rep, opp.id, { stage: 'closed_won' });
    expect(skip.status).toBe(422);
    expect(skip.body.errors[0]).toMatchObject({ field: 'stage', code: 'stage_order' });
    expect(skip.body.errors[0].message).toContain('Qualification');
    expect((await admin.request('GET', `/api/v1/opportunity/${opp.id}`)).body.stage).toBe('prospecting');
    // Even with a reason, a rep without the capability cannot skip.
    expect((await patch(rep, opp.id, { stage: 'needs_analysis', stage_skip_reason: 'customer in a hurry' })).status).toBe(422);
    expect((await patch(rep, opp.id, { stage: 'qualification' })).status).toBe(200);
    const lost = await patch(rep, opp.id, { stage: 'closed_lost', lost_reason: 'price' });
    expect(lost.status, lost.text).toBe(200);
  });

  it('lets a profile with the capability skip with a reason, which the stage history keeps', async () => {
    const opp = await buildOpportunity(lead, { pipeline: strict, amount: 2500, close_date: '2031-01-31' });
    const noReason = await patch(lead, opp.id, { stage: 'proposal' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0]).toMatchObject({ field: 'stage_skip_reason', code: 'required_for_skip' });
    const skipped = await patch(lead, opp.id, { stage: 'proposal', stage_skip_reason: 'Framework agreement already signed' });
    expect(skipped.status, skipped.text).toBe(200);
    const rows = await history(opp.id);
    expect(rows.at(-1)).toMatchObject({ from_stage: 'prospecting', to_stage: 'proposal', skip_reason: 'Framework agreement already signed' });
    // The next ordinary move keeps no stale reason.
    const next = await patch(lead, opp.id, { stage: 'negotiation' });
    expect(next.body.stage_skip_reason).toBeNull();
    expect((await history(opp.id)).at(-1)).toMatchObject({ to_stage: 'negotiation', skip_reason: null });
  });

  it('leaves pipelines without the option alone, and profiles name only declared capabilities', async () => {
    const opp = await buildOpportunity(rep, { amount: 800 });
    expect((await patch(rep, opp.id, { stage: 'closed_won' })).status).toBe(200);
    const bad = await admin.request('POST', '/api/v1/profiles', { body: { name: 'bad_caps', label: 'Bad', permissions: { capabilities: ['sales.skip_stages', 'sales.fly'] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'permissions.capabilities[1]', code: 'unknown_capability' })]);
    const list = await admin.request('GET', '/api/v1/capabilities');
    expect(list.body.data).toContainEqual(expect.objectContaining({ name: 'sales.skip_stages', module: 'sales' }));
  });
});
