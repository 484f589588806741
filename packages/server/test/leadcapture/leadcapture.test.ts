import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { waitFor } from '../events/helpers.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { leadCaptureSettings } from '../../src/modules/leadcapture/settings.ts';
import { escalateUncontactedLeads } from '../../src/modules/leadcapture/index.ts';
import { setSmsProvider } from '../../src/modules/automation/index.ts';
import { issueFormToken, solveProofOfWork } from '../../src/modules/leadcapture/spam.ts';
import { startLeadMailbox } from '../../src/modules/leadcapture/mailbox.ts';
import nodemailer from 'nodemailer';

/**
 * Lead capture and routing (issue 14 items 8–10, SAL-6): web forms create or attach leads and
 * block spam (counted, nothing created); assignment rules route by round robin (exactly fair under
 * 100 concurrent leads), territories, queues and users, skipping reps out of office; the owner is
 * told in-app and by e-mail (a real SMTP server); speed to lead is measured from a logged call;
 * uncontacted leads escalate. On PGlite and PostgreSQL (DATABASE_URL).
 */
let server: TestServer;
let admin: TestUser;
let smtp: TestSmtp;
/** Text messages the test's SMS gateway was handed (none until a test plugs one in). */
const texts: Array<{ to: string; text: string }> = [];
const reps: TestUser[] = [];

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  for (let i = 0; i < 6; i++) reps.push(await server.createUser());
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const db = () => server.platform.db;
async function ok(res: Promise<{ status: number; body: any; text: string }>, status = 201) {
  const r = await res;
  expect(r.status, r.text).toBe(status);
  return r.body;
}
const post = (object: string, body: unknown) => ok(admin.request('POST', `/api/v1/${object}`, { body }));

/** Only these rules are active from now on (earlier tests' rules are switched off). */
async function onlyRules(...rules: Array<Record<string, unknown>>) {
  await sql`UPDATE obj_assignment_rule SET active = false`.execute(db());
  for (const [i, r] of rules.entries()) await post('assignment_rule', { name: `Rule ${randomUUID()}`, sort_order: i + 1, ...r });
}
async function group(users: TestUser[]) {
  const g = await post('assignment_group', { name: `Group ${randomUUID()}` });
  for (const u of users) await post('assignment_group_member', { assignment_group: g.id, user: u.id });
  return g.id as string;
}
async function form(overrides: Record<string, unknown> = {}) {
  return post('web_form', { name: `Contact us ${randomUUID().slice(0, 8)}`, fields: 'first_name, last_name*, email*, company', campaign: 'Spring roofs', min_seconds: 0, ...overrides });
}
/** One submission from `ip` (inject's remote address), as the hosted page sends it. */
async function submit(publicId: string, body: Record<string, unknown>, ip = '10.0.0.1') {
  const res = await server.app.inject({ method: 'POST', url: `/api/v1/public/forms/${publicId}`, remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  return { status: res.statusCode, body: res.json() };
}
async function freshToken(publicId: string) {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/public/forms/${publicId}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token as string;
}
const leadsOfForm = async (formId: string) =>
  (await sql<{ id: string; owner_id: string | null }>`SELECT id, owner_id FROM obj_lead WHERE web_form_id = ${formId}::uuid AND deleted_at IS NULL`.execute(db())).rows;
const notifications = async (userId: string, kind: string) =>
  (await sql<{ record_id: string; title: string; emailed_at: Date | null }>`SELECT record_id, title, emailed_at FROM user_notification WHERE user_id = ${userId}::uuid AND kind = ${kind}`.execute(db())).rows;

describe('web forms', () => {
  it('a submission creates a lead with the hidden fields, routed by round robin; the owner is notified in-app and by e-mail', async () => {
    await onlyRules({ target: 'round_robin', assignment_group: await group([reps[0]!]) });
    const f = await form();
    expect(f.public_id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const token = await freshToken(f.public_id);
    const email = `ana.${randomUUID()}@prospect.example`;
    const r = await submit(f.public_id, { token, values: { first_name: 'Ana', last_name: 'Ruiz', email, company: 'Ruiz Roofing' }, utm: { utm_source: 'google', utm_campaign: 'spring' } });
    expect(r).toMatchObject({ status: 200, body: { message: 'Thank you, we will be in touch shortly.', redirectUrl: null } });
    const [lead] = await leadsOfForm(f.id);
    const full = await ok(admin.request('GET', `/api/v1/lead/${lead!.id}`), 200);
    expect(full).toMatchObject({ owner: reps[0]!.id, source: 'web', campaign: 'Spring roofs', utm_source: 'google', utm_campaign: 'spring', email, web_form: f.id, status: 'new' });
    const [note] = await notifications(reps[0]!.id, 'lead.assigned');
    expect(note).toMatchObject({ record_id: lead!.id, title: 'New lead: Ana Ruiz (Ruiz Roofing)' });
    const mail = await waitFor(() => smtp.inbox.find((m) => m.to.includes(reps[0]!.email)), 'the owner’s e-mail');
    expect(mail.raw).toContain('New lead: Ana Ruiz');
    // No SMS gateway plugged in: no text message (the logging default is not a channel).
    expect(texts).toHaveLength(0);
    expect(mail.raw.replace(/=\r?\n/g, '')).toContain(`/o/lead/${lead!.id}`);
    const summary = await ok(admin.request('GET', `/api/v1/leadcapture/forms/${f.id}/summary`), 200);
    expect(summary).toMatchObject({ submissions: { created: 1, attached: 0 }, blocked: {}, hostedUrl: `http://localhost:3000/f/${f.public_id}` });
    expect(summary.script).toBe(`<script src="http://localhost:3000/f/${f.public_id}/embed.js" async></script>`);
  });

  it('with an SMS gateway plugged in, an owner with a phone number also gets a text: the lead’s name and link, not its details', async () => {
    setSmsProvider(server.platform, { name: 'test-gateway', async send(_p, m) { texts.push(m); return { id: `t${texts.length}` }; } });
    await admin.request('PATCH', `/api/v1/user/${reps[1]!.id}`, { body: { phone: '+44 20 7946 0018' } });
    await onlyRules({ target: 'round_robin', assignment_group: await group([reps[1]!]) });
    const f = await form();
    const email = `bo.${randomUUID()}@prospect.example`;
    expect((await submit(f.public_id, { token: await freshToken(f.public_id), values: { first_name: 'Bo', last_name: 'Lind', email, company: 'Lind Print' } })).status).toBe(200);
    const [lead] = await leadsOfForm(f.id);
    const text = await waitFor(() => texts.find((t) => t.text.includes('Bo Lind')), 'the owner’s text message');
    expect(text.to).toBe('+44 20 7946 0018');
    expect(text.text).toBe(`New lead: Bo Lind (Lind Print) — http://localhost:3000/o/lead/${lead!.id}`);
    expect(text.text).not.toContain(email);
  });

  it('serves the hosted page and the embed script; an unknown or inactive form is a 404; bad input names the field', async () => {
    const f = await form({ fields: 'last_name*, email*, industry' });
    const page = await server.app.inject({ method: 'GET', url: `/f/${f.public_id}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'nonce-/);
    expect(page.body).toContain('name="industry"');
    expect(page.body).toContain('name="website_url"');
    const embed = await server.app.inject({ method: 'GET', url: `/f/${f.public_id}/embed.js` });
    expect(embed.body).toContain(`http://localhost:3000/f/${f.public_id}`);
    expect((await server.app.inject({ method: 'GET', url: '/f/not-a-form' })).statusCode).toBe(404);
    await ok(admin.request('PATCH', `/api/v1/web_form/${f.id}`, { body: { active: false } }), 200);
    expect((await server.app.inject({ method: 'GET', url: `/api/v1/public/forms/${f.public_id}` })).statusCode).toBe(404);
    const bad = await admin.request('POST', '/api/v1/web_form', { body: { name: 'Bad', fields: 'last_name, owner, password' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'fields' });
    const g = await form();
    const missing = await submit(g.public_id, { token: await freshToken(g.public_id), values: { last_name: 'X' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]).toMatchObject({ field: 'values.email', code: 'required' });
    const unknown = await submit(g.public_id, { token: await freshToken(g.public_id), values: { last_name: 'X', email: 'x@y.example', owner: reps[1]!.id } });
    expect(unknown.body.errors[0]).toMatchObject({ field: 'values.owner', code: 'unknown_field' });
    // Hostile input: garbage tokens, a huge value, a non-object body — refused, nothing created.
    expect((await submit(g.public_id, { token: '....', values: { last_name: 'X', email: 'x@y.example' } })).body.errors[0].code).toBe('invalid_token');
    expect((await submit(g.public_id, { token: 'x', values: { last_name: 'X'.repeat(6000), email: 'x@y.example' } })).status).toBe(400);
    expect((await submit(g.public_id, { token: 'x', values: [1, 2] } as never)).status).toBe(400);
    expect((await submit(encodeURIComponent("x' OR 1=1--"), { token: 'x', values: {} })).status).toBe(400);
    expect(await leadsOfForm(g.id)).toHaveLength(0);
    // The builder's preview reads a field list as the hosted page will.
    const preview = await ok(admin.request('POST', '/api/v1/leadcapture/form-preview', { body: { fields: 'first_name, last_name*, industry' } }), 200);
    expect(preview.fields.map((x: any) => [x.name, x.required])).toEqual([['first_name', false], ['last_name', true], ['industry', false]]);
    expect(preview.fields[2].options.length).toBeGreaterThan(3);
    const badPreview = await admin.request('POST', '/api/v1/leadcapture/form-preview', { body: { fields: 'email' } });
    expect(badPreview.status).toBe(422);
    expect(badPreview.body.errors[0].field).toBe('fields');
  });

  it('a spam burst is blocked and counted, and creates nothing', async () => {
    const f = await form({ min_seconds: 5, proof_of_work: true });
    const values = () => ({ last_name: 'Bot', email: `bot.${randomUUID()}@spam.example` });
    const aged = () => issueFormToken(server.platform, f.id, Date.now() - 10_000);
    // Honeypot filled: answered like a success.
    expect((await submit(f.public_id, { token: aged(), values: values(), website_url: 'http://spam.example' })).status).toBe(200);
    // Too fast: a token from the form just loaded.
    const fast = await submit(f.public_id, { token: await freshToken(f.public_id), values: values() });
    expect(fast.status).toBe(400);
    expect(fast.body.errors[0]).toMatchObject({ field: 'token', code: 'too_fast' });
    // Forged token, another form's token, no proof of work, wrong proof of work.
    expect((await submit(f.public_id, { token: `${f.id}.${Date.now() - 60_000}.abc.forged`, values: values() })).body.errors[0].code).toBe('invalid_token');
    const other = await form();
    expect((await submit(f.public_id, { token: issueFormToken(server.platform, other.id, Date.now() - 10_000), values: values() })).body.errors[0].code).toBe('invalid_token');
    expect((await submit(f.public_id, { token: aged(), values: values() })).body.errors[0]).toMatchObject({ field: 'pow', code: 'pow' });
    // A real submission (proof of work solved), then the same token again.
    const token = aged();
    const bits = leadCaptureSettings.of(server.platform).powBits;
    const good = { token, values: values(), pow: solveProofOfWork(token, bits) };
    expect((await submit(f.public_id, good)).status).toBe(200);
    expect((await submit(f.public_id, good)).body.errors[0].code).toBe('replay');
    // A burst from one address: over the per-IP limit is 429, before anything else is looked at.
    overrideSettings(server.platform, leadCaptureSettings, { rateLimit: 10 });
    const burst = await Promise.all(Array.from({ length: 30 }, () => submit(f.public_id, { token: aged(), values: values(), website_url: 'x' }, '10.9.9.9')));
    overrideSettings(server.platform, leadCaptureSettings, { rateLimit: 20 });
    expect(burst.filter((r) => r.status === 429)).toHaveLength(20);
    const summary = await ok(admin.request('GET', `/api/v1/leadcapture/forms/${f.id}/summary`), 200);
    expect(summary.blocked).toEqual({ honeypot: 11, too_fast: 1, invalid_token: 2, pow: 1, replay: 1, rate_limit: 20 });
    expect(summary.submissions).toEqual({ created: 1, attached: 0 });
    expect(await leadsOfForm(f.id)).toHaveLength(1);
  });

  it('a submission from a known lead or contact is attached to it, not duplicated', async () => {
    const email = `known.${randomUUID()}@prospect.example`;
    const lead = await post('lead', { last_name: 'Known', email });
    const contactEmail = `client.${randomUUID()}@customer.example`;
    const contact = await post('contact', { last_name: 'Client', email: contactEmail });
    const f = await form();
    expect((await submit(f.public_id, { token: await freshToken(f.public_id), values: { last_name: 'Known again', email: email.toUpperCase() } })).status).toBe(200);
    expect((await submit(f.public_id, { token: await freshToken(f.public_id), values: { last_name: 'Client', email: contactEmail } })).status).toBe(200);
    expect(await leadsOfForm(f.id)).toHaveLength(0);
    const subs = await sql<{ outcome: string; lead_id: string | null; contact_id: string | null }>`SELECT outcome, lead_id, contact_id FROM obj_form_submission WHERE web_form_id = ${f.id}::uuid ORDER BY created_at`.execute(db());
    expect(subs.rows).toEqual([{ outcome: 'attached', lead_id: lead.id, contact_id: null }, { outcome: 'attached', lead_id: null, contact_id: contact.id }]);
    const timeline = await ok(admin.request('GET', `/api/v1/lead/${lead.id}/timeline`), 200);
    expect(timeline.data.filter((i: any) => i.kind === 'form_submission')).toHaveLength(1);
  });
});

describe('assignment rules', () => {
  it('round robin gives 100 concurrent leads over 4 reps exactly 25 each', async () => {
    await onlyRules({ target: 'round_robin', assignment_group: await group(reps.slice(0, 4)) });
    const created = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      admin.request('POST', '/api/v1/lead', { body: { last_name: `Parallel ${randomUUID()}`, email: `p${i}.${randomUUID()}@load.example`, assign_by_rules: true } })));
    expect(created.map((r) => r.status)).toEqual(Array(100).fill(201));
    const counts = new Map<string, number>();
    for (const r of created) counts.set(r.body.owner, (counts.get(r.body.owner) ?? 0) + 1);
    expect([...counts.entries()].sort()).toEqual(reps.slice(0, 4).map((u) => [u.id, 25]).sort());
    expect(created.every((r) => r.body.assign_by_rules === false)).toBe(true);
  });

  it('territories, queues and users in order; reps out of office are skipped', async () => {
    const [west, east1, east2, fallback] = [reps[0]!, reps[1]!, reps[2]!, reps[3]!];
    await post('territory', { name: `West ${randomUUID()}`, sort_order: 1, countries: 'US, USA', states: 'CA', postal_from: '90000', postal_to: '96199', user: west.id });
    await post('territory', { name: `Energy ${randomUUID()}`, sort_order: 2, industries: 'energy', assignment_group: await group([east1, east2]) });
    await onlyRules(
      { target: 'queue', queue: 'Partners', condition: JSON.stringify({ field: 'source', op: 'eq', value: 'partner' }) },
      { target: 'territory' },
      { target: 'user', user: fallback.id },
    );
    const lead = (body: Record<string, unknown>) => post('lead', { last_name: `T ${randomUUID()}`, assign_by_rules: true, ...body });
    expect((await lead({ address_country: 'us', address_state: 'CA', address_postal_code: '94105' })).owner).toBe(west.id);
    const energy = await Promise.all([lead({ industry: 'energy', address_postal_code: '10001' }), lead({ industry: 'energy' })]);
    expect(energy.map((l) => l.owner).sort()).toEqual([east1.id, east2.id].sort());
    expect(await lead({ address_country: 'US', address_state: 'NY' })).toMatchObject({ owner: fallback.id });
    expect(await lead({ source: 'partner' })).toMatchObject({ owner: null, lead_queue: 'Partners' });
    // West is away today: the territory yields nobody, the next rule decides.
    const today = new Date().toISOString().slice(0, 10);
    await post('out_of_office', { name: 'Holiday', user: west.id, starts_on: today, ends_on: today });
    expect((await lead({ address_country: 'US', address_state: 'CA', address_postal_code: '94105' })).owner).toBe(fallback.id);
    // And a group skips its rep away without losing the others' turns.
    await post('out_of_office', { name: 'Course', user: east1.id, starts_on: today, ends_on: today });
    const more = await Promise.all([lead({ industry: 'energy' }), lead({ industry: 'energy' })]);
    expect(more.map((l) => l.owner)).toEqual([east2.id, east2.id]);
    // A lead someone owns already keeps its owner unless asked.
    expect((await post('lead', { last_name: `Mine ${randomUUID()}`, address_country: 'US', address_state: 'NY' })).owner).toBe(admin.id);
  });

  it('routes imported rows (bulk) that leave the owner empty or ask for the rules; a row with its owner keeps it', async () => {
    const rep = reps[2]!;
    await onlyRules({ target: 'user', user: rep.id });
    const r = await ok(admin.request('POST', '/api/v1/lead/bulk', { body: { operation: 'create', records: [
      { last_name: `Imported ${randomUUID()}`, owner: null },
      { last_name: `Imported ${randomUUID()}`, assign_by_rules: true },
      { last_name: `Imported ${randomUUID()}`, owner: reps[3]!.id },
    ] } }), 200);
    expect(r.succeeded).toBe(3);
    const owners = await Promise.all(r.results.map(async (x: any) => (await ok(admin.request('GET', `/api/v1/lead/${x.id}`), 200)).owner));
    expect(owners).toEqual([rep.id, rep.id, reps[3]!.id]);
  });

  it('refuses a rule with a bad condition or a missing target, naming the field', async () => {
    const bad = await admin.request('POST', '/api/v1/assignment_rule', { body: { name: 'Bad', sort_order: 1, target: 'queue', queue: 'Q', condition: '{"field":"no_such_field","op":"eq","value":1}' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toMatch(/^condition/);
    const notJson = await admin.request('POST', '/api/v1/assignment_rule', { body: { name: 'Bad', sort_order: 1, target: 'queue', queue: 'Q', condition: '{oops' } });
    expect(notJson.body.errors[0]).toMatchObject({ field: 'condition' });
    const noUser = await admin.request('POST', '/api/v1/assignment_rule', { body: { name: 'Bad', sort_order: 1, target: 'user' } });
    expect(noUser.body.errors[0]).toMatchObject({ field: 'user' });
    // A rule on a custom field that is deleted later: skipped (the next rule decides), leads keep being saved.
    await ok(admin.request('POST', '/api/v1/metadata/objects/lead/fields', { body: { apiName: 'roof_type', label: 'Roof type', type: 'text' } }));
    await onlyRules({ target: 'user', user: reps[5]!.id, condition: JSON.stringify({ field: 'roof_type', op: 'eq', value: 'tile' }) }, { target: 'user', user: reps[2]!.id });
    expect((await post('lead', { last_name: `Tile ${randomUUID()}`, roof_type: 'tile', assign_by_rules: true })).owner).toBe(reps[5]!.id);
    const removed = await admin.request('DELETE', '/api/v1/metadata/objects/lead/fields/roof_type?confirm=true');
    expect(removed.status, removed.text).toBeLessThan(300);
    expect((await post('lead', { last_name: `After ${randomUUID()}`, assign_by_rules: true })).owner).toBe(reps[2]!.id);
  });
});

describe('speed to lead', () => {
  it('measures capture to first logged call and reports the share within 15 minutes by owner, source and week', async () => {
    const rep = reps[4]!;
    await onlyRules({ target: 'user', user: rep.id });
    const f = await form();
    const send = async (name: string) => {
      expect((await submit(f.public_id, { token: await freshToken(f.public_id), values: { last_name: name, email: `${name}.${randomUUID()}@speed.example` } })).status).toBe(200);
      return (await sql<{ id: string }>`SELECT id FROM obj_lead WHERE last_name = ${name}`.execute(db())).rows[0]!.id;
    };
    const quick = await send(`quick${randomUUID().slice(0, 6)}`);
    const slow = await send(`slow${randomUUID().slice(0, 6)}`);
    const never = await send(`never${randomUUID().slice(0, 6)}`);
    expect(never).toBeTruthy();
    // The slow lead was captured 40 minutes ago (its measurement moved back in time).
    await sql`UPDATE leadcapture_speed SET captured_at = captured_at - interval '40 minutes' WHERE lead_id = ${slow}::uuid`.execute(db());
    const now = new Date().toISOString();
    for (const lead of [quick, slow]) await ok(rep.request('POST', '/api/v1/call', { body: { subject: 'Intro call', start_at: now, lead } }));
    // A second call does not move the first contact.
    await ok(rep.request('POST', '/api/v1/call', { body: { subject: 'Follow-up', start_at: now, lead: quick } }));
    const today = now.slice(0, 10);
    const byOwner = await ok(admin.request('GET', `/api/v1/leadcapture/speed?groupBy=owner&from=${today}&to=${today}`), 200);
    const mine = byOwner.rows.find((r: any) => r.key === rep.id);
    expect(mine).toMatchObject({ leads: 3, contacted: 2, within15: 1 });
    expect(mine.share).toBeCloseTo(1 / 3);
    const bySource = await ok(admin.request('GET', `/api/v1/leadcapture/speed?groupBy=source&from=${today}&to=${today}`), 200);
    expect(bySource.rows.find((r: any) => r.key === 'web').within15).toBeGreaterThanOrEqual(1);
    // With leads private, the rep's report counts their own leads only (the lead list's access is compiled into it).
    const before = (await ok(admin.request('GET', '/api/v1/sharing-settings'), 200)).data.find((x: any) => x.object === 'lead').sharing;
    await ok(admin.request('PUT', '/api/v1/sharing-settings/lead', { body: { sharing: 'private' } }), 200);
    const byWeek = await ok(rep.request('GET', `/api/v1/leadcapture/speed?groupBy=week&from=${today}&to=${today}`), 200);
    await ok(admin.request('PUT', '/api/v1/sharing-settings/lead', { body: { sharing: before } }), 200);
    expect(byWeek.total).toMatchObject({ leads: 3, contacted: 2, within15: 1 });
    expect(byWeek.rows).toHaveLength(1);
    const bad = await admin.request('GET', `/api/v1/leadcapture/speed?groupBy=owner&from=${today}&to=2000-01-01`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('to');
  });

  it('escalates an uncontacted lead to the owner’s manager once, or reassigns it', async () => {
    const [rep, manager, other] = [reps[5]!, reps[3]!, reps[2]!];
    await ok(admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { manager: manager.id } }), 200);
    await onlyRules({ target: 'user', user: rep.id }, { target: 'user', user: other.id });
    const lead = await post('lead', { last_name: `Slow ${randomUUID()}`, assign_by_rules: true });
    expect(lead.owner).toBe(rep.id);
    const age = () => sql`UPDATE leadcapture_speed SET assigned_at = now() - interval '2 hours' WHERE lead_id = ${lead.id}::uuid`.execute(db());
    await age();
    expect((await escalateUncontactedLeads(server.platform)).escalated).toBeGreaterThanOrEqual(1);
    expect((await notifications(manager.id, 'lead.escalated')).map((n) => n.record_id)).toContain(lead.id);
    await escalateUncontactedLeads(server.platform);
    expect((await notifications(manager.id, 'lead.escalated')).filter((n) => n.record_id === lead.id)).toHaveLength(1);
    // Reassign: the rules again without the owner.
    overrideSettings(server.platform, leadCaptureSettings, { escalationAction: 'reassign' });
    const second = await post('lead', { last_name: `Slower ${randomUUID()}`, assign_by_rules: true });
    await sql`UPDATE leadcapture_speed SET assigned_at = now() - interval '2 hours' WHERE lead_id = ${second.id}::uuid`.execute(db());
    await escalateUncontactedLeads(server.platform);
    overrideSettings(server.platform, leadCaptureSettings, { escalationAction: 'notify_manager' });
    expect((await ok(admin.request('GET', `/api/v1/lead/${second.id}`), 200)).owner).toBe(other.id);
    expect((await notifications(other.id, 'lead.assigned')).map((n) => n.record_id)).toContain(second.id);
    // A contacted lead does not escalate.
    const called = await post('lead', { last_name: `Called ${randomUUID()}`, assign_by_rules: true });
    await ok(admin.request('PATCH', `/api/v1/lead/${called.id}`, { body: { status: 'contacted' } }), 200);
    await sql`UPDATE leadcapture_speed SET assigned_at = now() - interval '2 hours' WHERE lead_id = ${called.id}::uuid`.execute(db());
    await escalateUncontactedLeads(server.platform);
    expect((await notifications(manager.id, 'lead.escalated')).map((n) => n.record_id)).not.toContain(called.id);
  });
});

describe('leads by e-mail', () => {
  it('an e-mail to the capture address over real SMTP becomes a routed lead; a known sender is attached; other recipients are refused', async () => {
    const rep = reps[4]!; // reps[1] is out of office today (territory test)
    await onlyRules({ target: 'user', user: rep.id });
    const mailbox = await startLeadMailbox(server.platform, { port: 0 });
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: mailbox.port, secure: false, ignoreTLS: true });
      const sender = `maria.${randomUUID().slice(0, 8)}@homeowner.example`;
      await transport.sendMail({ from: `"Maria de la Cruz" <${sender}>`, to: 'leads@localhost', subject: 'Roof leak after the storm', text: 'Can someone come by this week?' });
      const lead = await waitFor(async () => (await sql<{ id: string; first_name: string; last_name: string; source: string; owner_id: string; description: string }>`
        SELECT id, first_name, last_name, source, owner_id, description FROM obj_lead WHERE email = ${sender}`.execute(db())).rows[0], 'the lead from the e-mail');
      expect(lead).toMatchObject({ first_name: 'Maria de la', last_name: 'Cruz', source: 'email', owner_id: rep.id });
      expect(lead.description).toContain('Roof leak after the storm');
      expect(lead.description).toContain('Can someone come by this week?');
      expect((await notifications(rep.id, 'lead.assigned')).map((n) => n.record_id)).toContain(lead.id);
      // The same sender again: attached, no second lead.
      await transport.sendMail({ from: sender, to: 'LEADS@localhost', subject: 'Any news?', text: 'Following up.' });
      const subs = await sql<{ outcome: string; lead_id: string }>`SELECT outcome, lead_id FROM obj_form_submission WHERE channel = 'email' AND email = ${sender} ORDER BY created_at`.execute(db());
      expect(subs.rows).toEqual([{ outcome: 'created', lead_id: lead.id }, { outcome: 'attached', lead_id: lead.id }]);
      expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM obj_lead WHERE email = ${sender}`.execute(db())).rows[0]!.n).toBe(1);
      // Another mailbox on this server: refused by SMTP, nothing stored.
      await expect(transport.sendMail({ from: sender, to: 'sales@localhost', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
      transport.close();
    } finally {
      await mailbox.close();
    }
  });
});
