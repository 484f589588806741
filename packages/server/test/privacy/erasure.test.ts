import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { sql } from 'kysely';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { configureAttachments } from '../../src/modules/activities/attachments/config.ts';
import { DiskStore } from '../../src/modules/activities/attachments/storage/disk.ts';
import { draftInvoice, invoiceCatalogue, run } from '../invoicing/setup.ts';

/**
 * Privacy requests (issue 15 item 10): a person's data export (record, related records, files)
 * and erasure across the record, its field history and stored events, audited; a person named
 * on a posted invoice keeps the name and the answer says why.
 */
let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await getTestServer();
  dir = mkdtempSync(path.join(tmpdir(), 'meridian-privacy-'));
  configureAttachments(server.platform, { store: new DiskStore(path.join(dir, 'files')), spoolDir: path.join(dir, 'spool') });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function untar(payload: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  const feeding = pipeline(Readable.from([payload]), createGunzip(), extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.set(entry.header.name, Buffer.concat(chunks));
  }
  await feeding;
  return out;
}

async function attach(object: string, id: string, name: string, data: Buffer) {
  const boundary = `----meridian${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`), data, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const res = await server.app.inject({ method: 'POST', url: `/api/v1/${object}/${id}/attachments`, headers: { authorization: `Bearer ${server.admin.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  expect(res.statusCode, res.body).toBe(201);
  return JSON.parse(res.body) as { id: string };
}

/** How many stored rows still mention a value anywhere in the history or the outbox of the record. */
async function mentions(recordId: string, value: string) {
  const like = `%${value}%`;
  const r = await sql<{ h: number; e: number }>`SELECT
      (SELECT count(*)::int FROM record_history WHERE record_id = ${recordId}::uuid AND (old_value::text ILIKE ${like} OR new_value::text ILIKE ${like} OR changes::text ILIKE ${like})) AS h,
      (SELECT count(*)::int FROM outbox_event WHERE record_id = ${recordId}::uuid AND changes::text ILIKE ${like}) AS e`.execute(server.platform.db);
  return r.rows[0]!;
}

describe('privacy requests', () => {
  it('exports everything about a contact as JSON and files, and audits it', async () => {
    const account = await buildAccount(server.admin);
    const contact = await buildRecord(server.admin, 'contact', { first_name: 'Erika', last_name: 'Mustermann', email: 'erika@example.de', phone: '+49 30 1234567', account: account.id });
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3000), Buffer.from('\n%%EOF\n')]);
    const file = await attach('contact', contact.id, 'Consent form.pdf', pdf);

    const res = await server.app.inject({ method: 'GET', url: `/api/v1/privacy/contact/${contact.id}/export`, headers: { authorization: `Bearer ${server.admin.token}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    const entries = await untar(res.rawPayload);
    expect(JSON.parse(entries.get('person.json')!.toString())).toMatchObject({ id: contact.id, email: 'erika@example.de', last_name: 'Mustermann' });
    expect(JSON.parse(entries.get('related/attachment.json')!.toString())).toEqual([expect.objectContaining({ id: file.id, file_name: 'Consent form.pdf' })]);
    expect(Buffer.compare(entries.get(`files/${file.id}-Consent form.pdf`)!, pdf)).toBe(0);
    const audit = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE action = 'privacy.exported' AND target_id = ${contact.id}`.execute(server.platform.db);
    expect(audit.rows[0]!.n).toBe(1);

    const bad = await server.admin.request('GET', `/api/v1/privacy/account/${account.id}/export`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('object');
  });

  it('keeps consent and communication preferences on contacts and leads, with a clear error for a bad value', async () => {
    const at = '2026-11-02T09:30:00.000Z';
    const contact = await buildRecord(server.admin, 'contact', { last_name: 'Consenting', marketing_consent: 'granted', consent_given_at: at, consent_method: 'web_form', consent_note: 'Newsletter form v3', preferred_channel: 'email' });
    expect((await server.admin.request('GET', `/api/v1/contact/${contact.id}`)).body).toMatchObject({ marketing_consent: 'granted', consent_given_at: at, consent_method: 'web_form', preferred_channel: 'email' });
    const withdrawn = await server.admin.request('PATCH', `/api/v1/contact/${contact.id}`, { body: { marketing_consent: 'withdrawn', consent_method: 'email' } });
    expect(withdrawn.status, withdrawn.text).toBe(200);
    const bad = await server.admin.request('POST', '/api/v1/lead', { body: { last_name: 'L', company: 'C', marketing_consent: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('marketing_consent');
    // A lead's consent follows the person when the lead becomes a contact.
    const lead = await buildRecord(server.admin, 'lead', { last_name: 'Convert', company: 'Consent Co', marketing_consent: 'granted', consent_given_at: at, consent_method: 'phone', preferred_channel: 'phone' });
    const converted = await server.admin.request('POST', `/api/v1/lead/${lead.id}/convert`, { body: { allowDuplicate: true } });
    expect(converted.status, converted.text).toBe(200);
    const contactId = converted.body.contact?.id ?? converted.body.contactId;
    expect((await server.admin.request('GET', `/api/v1/contact/${contactId}`)).body).toMatchObject({ marketing_consent: 'granted', consent_given_at: at, consent_method: 'phone', preferred_channel: 'phone' });
    // The earlier state stays in the field history: the record of consent.
    const history = await sql<{ old_value: unknown }>`SELECT old_value FROM record_history WHERE record_id = ${contact.id}::uuid AND field = 'marketing_consent' AND operation = 'update'`.execute(server.platform.db);
    expect(history.rows.map((r) => r.old_value)).toEqual(['granted']);
  });

  it('erases a lead across the record, its history and its stored events, for administrators only', async () => {
    const lead = await buildRecord(server.admin, 'lead', { first_name: 'Jan', last_name: 'Kowalski', company: 'Kowalski Sp.', email: 'jan@kowalski.example', phone: '+48 22 555 0101' });
    expect((await server.admin.request('PATCH', `/api/v1/lead/${lead.id}`, { body: { email: 'jan.k@kowalski.example' } })).status).toBe(200);
    expect(await mentions(lead.id, 'kowalski.example')).toMatchObject({ h: expect.any(Number) });
    expect((await mentions(lead.id, 'jan.k@kowalski.example')).h).toBeGreaterThan(0);

    const rep = await server.createUser();
    const refused = await rep.request('POST', `/api/v1/privacy/lead/${lead.id}/erase`);
    expect(refused.status).toBe(403);
    expect((await server.admin.request('GET', `/api/v1/lead/${lead.id}`)).body.email).toBe('jan.k@kowalski.example');

    const res = await server.admin.request('POST', `/api/v1/privacy/lead/${lead.id}/erase`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.erased).toEqual(expect.arrayContaining(['first_name', 'last_name', 'email', 'phone']));
    expect(res.body.kept).toEqual([]);
    const after = (await server.admin.request('GET', `/api/v1/lead/${lead.id}`)).body;
    expect(after).toMatchObject({ first_name: null, last_name: 'Erased', email: null, phone: null, company: 'Kowalski Sp.' });
    for (const value of ['jan@kowalski.example', 'jan.k@kowalski.example', 'Jan', '555 0101']) expect(await mentions(lead.id, value)).toEqual({ h: 0, e: 0 });
    const audit = await sql<{ details: { erased: string[] } }>`SELECT details FROM audit_log WHERE action = 'privacy.erased' AND target_id = ${lead.id}`.execute(server.platform.db);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.details.erased).toContain('email');
  });

  it('keeps the name of a contact on a posted invoice and says so', async () => {
    const ids = await invoiceCatalogue(server);
    const account = await buildAccount(server.admin, { currency: 'USD' });
    const contact = await buildRecord(server.admin, 'contact', { first_name: 'Dana', last_name: 'Buyer', email: 'dana@harbor.example', account: account.id });
    const { invoice } = await draftInvoice(server.admin, { account: account.id, contact: contact.id }, [{ product: ids.service, quantity: 1 }]);
    const posted = await run(server.admin, invoice.id, 'post');
    expect(posted.status, posted.text).toBe(200);

    const res = await server.admin.request('POST', `/api/v1/privacy/contact/${contact.id}/erase`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.kept).toEqual([expect.objectContaining({ fields: ['first_name', 'last_name'], reason: expect.stringContaining(posted.body.number ?? posted.body.invoice?.number) })]);
    expect(res.body.erased).toContain('email');
    expect(res.body.erased).not.toContain('last_name');
    const after = (await server.admin.request('GET', `/api/v1/contact/${contact.id}`)).body;
    expect(after).toMatchObject({ first_name: 'Dana', last_name: 'Buyer', email: null });
    expect(await mentions(contact.id, 'dana@harbor.example')).toEqual({ h: 0, e: 0 });
  });
});
