import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { flagStalledOpportunities } from '../../src/modules/sales/commands/flagStalledOpportunities.ts';
import { startSales } from '../../src/modules/sales/startup.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

const patch = (id: string, body: Record<string, unknown>) => admin.request('PATCH', `/api/v1/opportunity/${id}`, { body });
const stageHistory = async (id: string) =>
  (await admin.request('GET', `/api/v1/opportunity_stage_history?sort=changed_at,id&filter=${encodeURIComponent(JSON.stringify({ field: 'opportunity', op: 'eq', value: id }))}`)).body.data;

describe('pipelines as data (SAL-9)', () => {
  it('seeds one default pipeline matching the stage picklist, idempotently', async () => {
    await startSales(server.platform);
    const pipelines = await admin.request('GET', '/api/v1/pipeline');
    expect(pipelines.body.data).toHaveLength(1);
    expect(pipelines.body.data[0]).toMatchObject({ name: 'New business', is_default: true, stalled_after_days: 30 });
    const stages = await admin.request('GET', '/api/v1/pipeline_stage?sort=order');
    expect(stages.body.data.map((s: { api_value: string }) => s.api_value)).toEqual(['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation', 'closed_won', 'partially_won', 'closed_lost']);
    expect(stages.body.data[7]).toMatchObject({ is_lost: true, probability: 0, forecast_category: 'omitted', required_fields: 'lost_reason' });
  });

  it("answers a pipeline's stages in order with their outcomes, the default pipeline's when none is named", async () => {
    const res = await admin.request('GET', '/api/v1/sales/stages');
    expect(res.status, res.text).toBe(200);
    expect(res.body.stages.map((s: { value: string; outcome: string }) => `${s.value}:${s.outcome}`)).toEqual([
      'prospecting:open', 'qualification:open', 'needs_analysis:open', 'proposal:open', 'negotiation:open', 'closed_won:won', 'partially_won:partially_won', 'closed_lost:lost',
    ]);
    expect(res.body.stages[2]).toMatchObject({ name: 'Needs analysis', allowedBackward: ['qualification'] });
    const renewals = await buildRecord(admin, 'pipeline', { name: 'Renewals only' });
    await buildRecord(admin, 'pipeline_stage', { pipeline: renewals.id, name: 'Due', api_value: 'negotiation', order: 1, probability: 80 });
    await buildRecord(admin, 'pipeline_stage', { pipeline: renewals.id, name: 'Renewed', api_value: 'closed_won', order: 2, probability: 100, is_won: true });
    const own = await admin.request('GET', `/api/v1/sales/stages?pipeline=${renewals.id}`);
    expect(own.body).toMatchObject({ pipeline: renewals.id, stages: [{ value: 'negotiation', name: 'Due', outcome: 'open' }, { value: 'closed_won', name: 'Renewed', outcome: 'won' }] });
    expect((await admin.request('GET', '/api/v1/sales/stages?pipeline=01900000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await admin.request('GET', '/api/v1/sales/stages?pipeline=nope')).status).toBe(400);
  });

  it('sets pipeline, probability, forecast category and stage history from the stage', async () => {
    const opp = await buildOpportunity(admin, { amount: null });
    const pipelineId = (await admin.request('GET', '/api/v1/pipeline')).body.data[0].id;
    expect(opp).toMatchObject({ pipeline: pipelineId, stage: 'prospecting', probability: 10, forecast_category: 'pipeline', probability_overridden: false, stalled: false });
    expect(opp.stage_changed_at).toEqual(expect.any(String));

    const missing = await patch(opp.id, { stage: 'proposal' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'amount', code: 'required_for_stage' })]);

    const proposal = await patch(opp.id, { stage: 'proposal', amount: 5000 });
    expect(proposal.status).toBe(200);
    expect(proposal.body).toMatchObject({ probability: 50, forecast_category: 'best_case' });
    const cleared = await patch(opp.id, { amount: null });
    expect(cleared.status).toBe(422); // a stage's required field cannot be emptied while in it

    const own = await patch(opp.id, { stage: 'negotiation', probability: 90 });
    expect(own.body).toMatchObject({ stage: 'negotiation', probability: 90, probability_overridden: true, forecast_category: 'commit' });
    const history = await admin.request('GET', `/api/v1/opportunity/${opp.id}/history`);
    expect(history.body.data).toContainEqual(expect.objectContaining({ field: 'probability_overridden', newValue: true }));

    const back = await patch(opp.id, { stage: 'proposal' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ probability: 50, probability_overridden: false });
    const tooFar = await patch(opp.id, { stage: 'prospecting' });
    expect(tooFar.status).toBe(422);
    expect(tooFar.body.errors[0]).toMatchObject({ field: 'stage', code: 'invalid_transition' });

    const rows = await stageHistory(opp.id);
    expect(rows.map((r: { from_stage: string | null; to_stage: string }) => [r.from_stage, r.to_stage])).toEqual([
      [null, 'prospecting'], ['prospecting', 'proposal'], ['proposal', 'negotiation'], ['negotiation', 'proposal'],
    ]);
    expect(rows[1].time_in_previous_stage_seconds).toBeGreaterThanOrEqual(0);
    expect(rows[1].changed_by).toBe(admin.id);

    const manual = await admin.request('POST', '/api/v1/opportunity_stage_history', { body: { opportunity: opp.id, to_stage: 'won', changed_at: new Date().toISOString() } });
    expect(manual.status).toBe(422);
  });

  it('keeps an explicit probability without a stage change as an override', async () => {
    const opp = await buildOpportunity(admin);
    const r = await patch(opp.id, { probability: 35 });
    expect(r.body).toMatchObject({ probability: 35, probability_overridden: true, stage: 'prospecting' });
  });

  it('refuses stages that are not in the opportunity\'s pipeline', async () => {
    const pipeline = await buildRecord(admin, 'pipeline', { name: 'Renewals', stalled_after_days: 0 });
    await buildRecord(admin, 'pipeline_stage', { pipeline: pipeline.id, name: 'Open', api_value: 'qualification', order: 1, probability: 60 });
    await buildRecord(admin, 'pipeline_stage', { pipeline: pipeline.id, name: 'Renewed', api_value: 'closed_won', order: 2, probability: 100, is_won: true, forecast_category: 'closed' });
    const dup = await admin.request('POST', '/api/v1/pipeline_stage', { body: { pipeline: pipeline.id, name: 'Again', api_value: 'qualification', order: 3 } });
    expect(dup.status).toBe(422);
    const badFields = await admin.request('POST', '/api/v1/pipeline_stage', { body: { pipeline: pipeline.id, name: 'X', api_value: 'proposal', order: 3, required_fields: 'amount, nope' } });
    expect(badFields.body.errors[0]).toMatchObject({ field: 'required_fields', code: 'unknown_field' });

    const wrong = await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Renewal 1', close_date: '2027-01-01', pipeline: pipeline.id, stage: 'proposal' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ field: 'stage', code: 'invalid_stage' });
    const ok = await buildOpportunity(admin, { pipeline: pipeline.id, stage: 'qualification' });
    expect(ok.probability).toBe(60);
    const won = await patch(ok.id, { stage: 'closed_won' });
    expect(won.body).toMatchObject({ probability: 100, forecast_category: 'closed' });
  });

  it('keeps one default pipeline', async () => {
    const p = await buildRecord(admin, 'pipeline', { name: 'Enterprise', is_default: true });
    const all = await admin.request('GET', `/api/v1/pipeline?filter=${encodeURIComponent(JSON.stringify({ field: 'is_default', op: 'eq', value: true }))}`);
    expect(all.body.data.map((x: { id: string }) => x.id)).toEqual([p.id]);
    const seeded = (await admin.request('GET', `/api/v1/pipeline?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'New business' }))}`)).body.data[0];
    await admin.request('PATCH', `/api/v1/pipeline/${seeded.id}`, { body: { is_default: true } });
  });

  it('flags stalled deals daily and clears the flag on a stage change', async () => {
    const old = await buildOpportunity(admin);
    const fresh = await buildOpportunity(admin);
    const closed = await buildOpportunity(admin, { stage: 'closed_lost', lost_reason: 'timing' });
    await sql`UPDATE obj_opportunity SET stage_changed_at = now() - interval '40 days' WHERE id = ANY(${[old.id, closed.id]}::uuid[])`.execute(server.platform.db);
    const { flagged } = await flagStalledOpportunities({ platform: server.platform });
    expect(flagged).toBeGreaterThanOrEqual(1);
    const get = async (id: string) => (await admin.request('GET', `/api/v1/opportunity/${id}`)).body;
    expect((await get(old.id)).stalled).toBe(true);
    expect((await get(fresh.id)).stalled).toBe(false);
    expect((await get(closed.id)).stalled).toBe(false);
    expect((await flagStalledOpportunities({ platform: server.platform })).flagged).toBe(0);
    const moved = await patch(old.id, { stage: 'qualification' });
    expect(moved.body.stalled).toBe(false);
  });
});

describe('outcomes (SAL-10)', () => {
  let reviewer: TestUser;
  beforeAll(async () => {
    reviewer = await server.createUser();
    await buildRecord(admin, 'lost_reason_route', { reason: 'price', review_user: reviewer.id, review_group: 'Pricing board' });
  });

  it('won sets closed_at and the won amount; a closed deal stays closed', async () => {
    const opp = await buildOpportunity(admin, { amount: 1200 });
    const won = await patch(opp.id, { stage: 'closed_won' });
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ closed_at: new Date().toISOString().slice(0, 10), won_amount: 1200, probability: 100 });
    const lost = await patch(opp.id, { stage: 'closed_lost', lost_reason: 'price' });
    expect(lost.status).toBe(422);
    expect(lost.body.detail).toMatch(/closed deal cannot move/);
  });

  it('partially won needs a won amount within the amount', async () => {
    const opp = await buildOpportunity(admin, { amount: 1000 });
    const none = await patch(opp.id, { stage: 'partially_won' });
    expect(none.status).toBe(422);
    expect(none.body.errors[0]).toMatchObject({ field: 'won_amount' });
    expect((await patch(opp.id, { stage: 'partially_won', won_amount: 1500 })).status).toBe(422);
    const ok = await patch(opp.id, { stage: 'partially_won', won_amount: 600 });
    expect(ok.body).toMatchObject({ stage: 'partially_won', won_amount: 600 });
  });

  it('lost needs a reason and sends a review task to the reviewer for that reason', async () => {
    const opp = await buildOpportunity(admin, { amount: 900 });
    const none = await patch(opp.id, { stage: 'closed_lost' });
    expect(none.status).toBe(422);
    expect(none.body.errors[0]).toMatchObject({ field: 'lost_reason', code: 'required_for_stage' });
    const lost = await patch(opp.id, { stage: 'closed_lost', lost_reason: 'price', lost_reason_detail: 'Competitor 20% cheaper' });
    expect(lost.status).toBe(200);
    const tasks = await admin.request('GET', `/api/v1/task?filter=${encodeURIComponent(JSON.stringify({ field: 'opportunity', op: 'eq', value: opp.id }))}`);
    expect(tasks.body.data).toHaveLength(1);
    expect(tasks.body.data[0]).toMatchObject({ owner: reviewer.id, priority: 'high', subject: expect.stringContaining('Review lost deal') });
    expect(tasks.body.data[0].description).toMatch(/Price[\s\S]*Competitor 20% cheaper/);
    // No route for the reason and none for 'other': the deal's owner reviews it.
    const other = await buildOpportunity(admin);
    const r = await admin.request('POST', `/api/v1/opportunity/${other.id}/close`, { body: { outcome: 'lost', lostReason: 'timing' } });
    expect(r.status).toBe(200);
    expect(r.body.reviewTask).toMatchObject({ owner: admin.id });
    expect(r.body.opportunity).toMatchObject({ stage: 'closed_lost', lost_reason: 'timing', probability: 0, forecast_category: 'omitted' });
  });

  it('closes through the command, with a project for a won deal', async () => {
    const account = await buildAccount(admin);
    const opp = await buildOpportunity(admin, { account: account.id, amount: 8000, gross_profit: 2500 });
    const bad = await admin.request('POST', `/api/v1/opportunity/${opp.id}/close`, { body: { outcome: 'partially_won' } });
    expect(bad.status).toBe(422);
    const r = await admin.request('POST', `/api/v1/opportunity/${opp.id}/close`, { body: { outcome: 'partially_won', wonAmount: 5000, createProject: true, project: { name: 'Install phase 1' } } });
    expect(r.status).toBe(200);
    expect(r.body.opportunity).toMatchObject({ stage: 'partially_won', won_amount: 5000 });
    expect(r.body.project).toMatchObject({ name: 'Install phase 1', opportunity: opp.id, account: account.id, amount: 5000, gross_profit: 2500, status: 'planned' });
    expect(r.body.reviewTask).toBeNull();
    const again = await admin.request('POST', `/api/v1/opportunity/${opp.id}/close`, { body: { outcome: 'partially_won', wonAmount: 5000 } });
    expect(again.status).toBe(409);
    const invalid = await admin.request('POST', `/api/v1/opportunity/${opp.id}/close`, { body: { outcome: 'maybe' } });
    expect(invalid.status).toBe(400);
  });

  it('lets an admin allow re-opening lost deals through the stage configuration', async () => {
    const opp = await buildOpportunity(admin, { stage: 'closed_lost', lost_reason: 'no_budget' });
    expect(opp.closed_at).toEqual(expect.any(String));
    expect((await patch(opp.id, { stage: 'qualification' })).status).toBe(422);
    const lostStage = (await admin.request('GET', `/api/v1/pipeline_stage?filter=${encodeURIComponent(JSON.stringify({ and: [{ field: 'api_value', op: 'eq', value: 'closed_lost' }, { field: 'pipeline', op: 'eq', value: opp.pipeline }] }))}`)).body.data[0];
    expect((await admin.request('PATCH', `/api/v1/pipeline_stage/${lostStage.id}`, { body: { allowed_backward: 'qualification' } })).status).toBe(200);
    const reopened = await patch(opp.id, { stage: 'qualification' });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ stage: 'qualification', closed_at: null, probability: 20 });
    await admin.request('PATCH', `/api/v1/pipeline_stage/${lostStage.id}`, { body: { allowed_backward: null } });
  });
});

describe('commercial guards (SAL-3, SAL-15)', () => {
  it('refuses opportunities for a blacklisted account', async () => {
    const bad = await buildAccount(admin, { blacklisted: true });
    const r = await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Nope', close_date: '2027-01-01', account: bad.id } });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'account', code: 'blacklisted' });
    expect(r.body.detail).toMatch(/blacklisted/);
    const opp = await buildOpportunity(admin);
    expect((await patch(opp.id, { account: bad.id })).status).toBe(422);
  });

  it('refuses negative gross profit unless the account allows it', async () => {
    const strict = await buildAccount(admin);
    const lenient = await buildAccount(admin, { allow_negative_profit: true });
    const r = await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Loss leader', close_date: '2027-01-01', account: strict.id, gross_profit: -100 } });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'gross_profit', code: 'negative_profit' });
    const noAccount = await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Loss leader', close_date: '2027-01-01', gross_profit: -1 } });
    expect(noAccount.status).toBe(422);
    const ok = await buildOpportunity(admin, { account: lenient.id, gross_profit: -100 });
    expect((await patch(ok.id, { account: strict.id })).status).toBe(422);
    const project = await admin.request('POST', '/api/v1/project', { body: { name: 'Job', account: strict.id, gross_profit: -5 } });
    expect(project.status).toBe(422);
    expect((await admin.request('POST', '/api/v1/project', { body: { name: 'Job', account: lenient.id, gross_profit: -5 } })).status).toBe(201);
  });
});
