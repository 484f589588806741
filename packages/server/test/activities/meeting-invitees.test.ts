import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact } from '../factories.ts';

/**
 * Meeting invitees (issue 17 item 6): colleagues and contacts invited through meeting_invitee,
 * created with the meeting in one step (POST /activities/meetings); an invited colleague sees the
 * meeting with private sharing, on their agenda and feed; refusals name their place in the body.
 */
let server: TestServer;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  // Private sharing: only the invitation lets Bob see Alice's meeting, and Alice does not see Bob's contacts.
  for (const o of ['meeting', 'contact', 'account']) {
    const res = await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } });
    expect(res.status, res.text).toBe(200);
  }
  alice = await server.createUser();
  bob = await server.createUser();
});
afterAll(async () => server?.close());

const schedule = (user: TestUser, body: unknown) => user.request('POST', '/api/v1/activities/meetings', { body });
const values = (subject: string) => ({ subject, start_at: '2031-05-01T09:00:00Z', end_at: '2031-05-01T10:00:00Z', time_zone: 'Europe/Berlin' });

async function invitees(meetingId: string) {
  const r = await sql<{ name: string; user_id: string | null; contact_id: string | null; response: string; deleted: boolean }>`SELECT name, user_id, contact_id, response,
    deleted_at IS NOT NULL AS deleted FROM obj_meeting_invitee WHERE meeting_id = ${meetingId} ORDER BY name`.execute(server.platform.db);
  return r.rows;
}

async function meetingsNamed(subject: string): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_meeting WHERE subject = ${subject}`.execute(server.platform.db);
  return Number(r.rows[0]!.n);
}

async function feedOf(user: TestUser): Promise<string> {
  const feed = await user.request('GET', '/api/v1/me/calendar-feed');
  return (await server.app.inject({ method: 'GET', url: new URL(feed.body.url).pathname })).body.replace(/\r\n /g, '');
}

const agendaIds = async (user: TestUser) => {
  const res = await user.request('GET', '/api/v1/me/agenda?from=2031-04-28&to=2031-05-05');
  expect(res.status, res.text).toBe(200);
  return res.body.data.map((o: { id: string }) => o.id);
};

describe('meeting invitees', () => {
  let meetingId: string;
  let carol: { id: string; full_name: string };
  let account: { id: string };

  it('creates a meeting with a colleague and a contact invited and a related record, in one step', async () => {
    account = await buildAccount(alice);
    carol = (await buildContact(alice, { first_name: 'Carol', last_name: 'Danvers', email: 'carol@example.org', account: account.id })) as never;
    const res = await schedule(alice, { values: values('Quarterly review'), invitees: [{ user: bob.id }, { contact: carol.id, response: 'accepted' }], related: [{ object: 'account', id: account.id }] });
    expect(res.status, res.text).toBe(201);
    meetingId = res.body.id;
    // The first related account fills the typed lookup, so the meeting is on the account's timeline.
    expect(res.body).toMatchObject({ subject: 'Quarterly review', owner: alice.id, account: account.id });
    const rows = await invitees(meetingId);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.user_id === bob.id)).toMatchObject({ response: 'needs_action', contact_id: null, deleted: false });
    expect(rows.find((r) => r.contact_id === carol.id)).toMatchObject({ name: 'Carol Danvers', response: 'accepted', user_id: null });
    // Through the record pipeline: each invitation has its history.
    const invitation = await alice.request('POST', '/api/v1/meeting_invitee/query', { body: { filter: { field: 'meeting', op: 'eq', value: meetingId }, fields: ['id', 'name'] } });
    expect(invitation.status, invitation.text).toBe(200);
    const history = await alice.request('GET', `/api/v1/meeting_invitee/${invitation.body.data[0].id}/history`);
    expect(history.status, history.text).toBe(200);
    expect(history.body.data.some((h: { operation: string }) => h.operation === 'create')).toBe(true);
    const timeline = await alice.request('GET', `/api/v1/account/${account.id}/timeline`);
    expect(timeline.body.data.map((i: { id: string }) => i.id)).toContain(meetingId);
  });

  it('the invited colleague sees the meeting, on their agenda and in their calendar feed, and was notified', async () => {
    // Without an invitation Bob does not see Alice's meetings (private sharing).
    const other = await alice.request('POST', '/api/v1/meeting', { body: values('Not for Bob') });
    expect(other.status, other.text).toBe(201);
    expect((await bob.request('GET', `/api/v1/meeting/${other.body.id}`)).status).toBe(404);

    const seen = await bob.request('GET', `/api/v1/meeting/${meetingId}`);
    expect(seen.status, seen.text).toBe(200);
    // Read, not write: the invitation does not let Bob change the meeting.
    expect((await bob.request('PATCH', `/api/v1/meeting/${meetingId}`, { body: { subject: 'Hijacked' } })).status).toBe(403);
    const ids = await agendaIds(bob);
    expect(ids).toContain(meetingId);
    expect(ids).not.toContain(other.body.id);
    expect(await agendaIds(alice)).toContain(meetingId);

    const notes = await bob.request('GET', '/api/v1/me/notifications');
    expect(notes.body.data.find((n: { kind: string; recordId: string }) => n.kind === 'invitation' && n.recordId === meetingId)).toMatchObject({ object: 'meeting', title: 'Invitation: Quarterly review' });

    // The feed lists the invitees; a contact's e-mail only to those who may see the contact.
    const ics = await feedOf(bob);
    expect(ics).toContain(`UID:${meetingId}@meridian`);
    expect(ics).toMatch(new RegExp(`ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN="[^"]*":mailto:${bob.email.replace(/[.]/g, '\\.')}`));
    expect(ics).toContain('ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN="Carol Danvers":invalid:nomail');
    expect(await feedOf(alice)).toContain('ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN="Carol Danvers":mailto:carol@example.org');

    // A declined invitation leaves the agenda.
    const mine = await bob.request('POST', '/api/v1/meeting_invitee/query', { body: { filter: { field: 'user', op: 'eq', value: bob.id }, fields: ['id'] } });
    const declined = await admin.request('PATCH', `/api/v1/meeting_invitee/${mine.body.data[0].id}`, { body: { response: 'declined' } });
    expect(declined.status, declined.text).toBe(200);
    expect(await agendaIds(bob)).not.toContain(meetingId);
    expect((await admin.request('PATCH', `/api/v1/meeting_invitee/${mine.body.data[0].id}`, { body: { response: 'accepted' } })).status).toBe(200);
    expect(await agendaIds(bob)).toContain(meetingId);
  });

  it('a forged or unknown invitee id is refused naming its place; nothing is saved', async () => {
    const forged = await schedule(alice, { values: values('Forged'), invitees: [{ user: bob.id }, { contact: 'not-a-uuid' }] });
    expect(forged.status, forged.text).toBe(400);
    expect(forged.body.errors).toEqual([expect.objectContaining({ field: 'invitees[1].contact', code: 'invalid_reference' })]);

    const unknown = await schedule(alice, { values: values('Unknown'), invitees: [{ user: bob.id }, { contact: '01900000-0000-7000-8000-000000000000' }] });
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'invitees[1].contact', code: 'invalid_reference' })]);
    const ghost = await schedule(alice, { values: values('Ghost user'), invitees: [{ user: '01900000-0000-7000-8000-000000000001' }] });
    expect(ghost.status, ghost.text).toBe(400);
    expect(ghost.body.errors).toEqual([expect.objectContaining({ field: 'invitees[0].user', code: 'invalid_reference' })]);
    const unrelated = await schedule(alice, { values: values('Bad related'), related: [{ object: 'opportunity', id: '01900000-0000-7000-8000-000000000002' }] });
    expect(unrelated.status, unrelated.text).toBe(400);
    expect(unrelated.body.errors).toEqual([expect.objectContaining({ field: 'related[0].id', code: 'invalid_reference' })]);

    const both = await schedule(alice, { values: values('Both'), invitees: [{ user: bob.id, contact: carol.id }] });
    expect(both.status, both.text).toBe(400);
    expect(both.body.errors[0].field).toBe('invitees[0].user');
    const twice = await schedule(alice, { values: values('Twice'), invitees: [{ user: bob.id }, { user: bob.id }] });
    expect(twice.status, twice.text).toBe(400);
    expect(twice.body.errors).toEqual([expect.objectContaining({ field: 'invitees[1].user', code: 'duplicate' })]);
    const badField = await schedule(alice, { values: { subject: 'No start' }, invitees: [{ user: bob.id }] });
    expect(badField.status, badField.text).toBe(400);
    expect(badField.body.errors[0].field).toBe('values.start_at');
    for (const subject of ['Forged', 'Unknown', 'Ghost user', 'Bad related', 'Both', 'Twice', 'No start']) expect(await meetingsNamed(subject), subject).toBe(0);
  });

  it('a contact the creator cannot see is refused like an unknown one', async () => {
    const hidden = await buildContact(bob, { first_name: 'Hidden', last_name: 'Person' });
    expect((await alice.request('GET', `/api/v1/contact/${hidden.id}`)).status).toBe(404);
    const res = await schedule(alice, { values: values('Hidden invitee'), invitees: [{ contact: hidden.id }] });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'invitees[0].contact', code: 'invalid_reference', message: `No contact with id ${hidden.id}` })]);
    expect(await meetingsNamed('Hidden invitee')).toBe(0);
    // The generic route refuses it the same way.
    const direct = await alice.request('POST', '/api/v1/meeting_invitee', { body: { meeting: meetingId, contact: hidden.id } });
    expect(direct.status, direct.text).toBe(400);
    expect(direct.body.errors[0]).toMatchObject({ field: 'contact', code: 'invalid_reference' });
  });

  it('deleting the meeting removes its invitations and the access they gave; a restore brings both back', async () => {
    const del = await alice.request('DELETE', `/api/v1/meeting/${meetingId}`);
    expect(del.status, del.text).toBe(204);
    expect((await invitees(meetingId)).every((r) => r.deleted)).toBe(true);
    expect(await agendaIds(bob)).not.toContain(meetingId);
    const team = await sql`SELECT 1 FROM record_team_member WHERE object = 'meeting' AND record_id = ${meetingId}`.execute(server.platform.db);
    expect(team.rows).toHaveLength(0);

    const restored = await alice.request('POST', `/api/v1/meeting/${meetingId}/restore`);
    expect(restored.status, restored.text).toBe(200);
    expect((await invitees(meetingId)).every((r) => !r.deleted)).toBe(true);
    expect((await bob.request('GET', `/api/v1/meeting/${meetingId}`)).status).toBe(200);

    // Removing one invitation takes only that colleague's access away.
    const mine = await alice.request('POST', '/api/v1/meeting_invitee/query', { body: { filter: { field: 'user', op: 'eq', value: bob.id }, fields: ['id'] } });
    expect((await alice.request('DELETE', `/api/v1/meeting_invitee/${mine.body.data[0].id}`)).status).toBe(204);
    expect((await bob.request('GET', `/api/v1/meeting/${meetingId}`)).status).toBe(404);
    expect((await alice.request('GET', `/api/v1/meeting/${meetingId}`)).status).toBe(200);
  });
});
