import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anonymous, getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildTask } from '../factories.ts';
import { configureAttachments, setUploadScanner } from '../../src/modules/activities/attachments/config.ts';
import { clamavScanner } from '../../src/modules/activities/attachments/clamav.ts';
import { parseAllowedTypes } from '../../src/modules/activities/attachments/policy.ts';
import { sweepSpool } from '../../src/modules/activities/attachments/receive.ts';
import { sweepOrphanBlobs } from '../../src/modules/activities/attachments/sweep.ts';
import { sendDueReminders } from '../../src/modules/activities/commands/sendReminders.ts';
import { DiskStore } from '../../src/modules/activities/attachments/storage/disk.ts';
import { S3Store } from '../../src/modules/activities/attachments/storage/s3.ts';
import type { FileStore } from '../../src/modules/activities/attachments/storage/types.ts';

let server: TestServer;
let admin: TestUser;
let dir: string;
let disk: DiskStore;
const spoolDir = () => path.join(dir, 'spool');

// A 1×1 transparent PNG and a minimal PDF: real signatures for the type detection.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\n'), randomBytes(2000), Buffer.from('\n%%EOF\n')]);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(120, 0)]);
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!H+H*';

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  dir = mkdtempSync(path.join(tmpdir(), 'meridian-attach-'));
  disk = new DiskStore(path.join(dir, 'files'));
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  configureAttachments(server.platform, { store: disk, spoolDir: spoolDir(), maxBytes: 64 * 1024, scanner: undefined, allowedTypes: parseAllowedTypes(undefined) });
});

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

function multipart(parts: Part[]) {
  const boundary = `----meridian${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    // Quotes inside the quoted file name are escaped as a quoted-pair.
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename.replace(/["\\]/g, '\\$&')}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}\r\n`, 'utf8'));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(user: TestUser, object: string, id: string, file: { name: string; data: Buffer | string; type?: string }, extra: { fields?: Record<string, string>; headers?: Record<string, string> } = {}) {
  const parts: Part[] = [{ name: 'file', filename: file.name, contentType: file.type ?? 'application/octet-stream', data: file.data }];
  for (const [name, data] of Object.entries(extra.fields ?? {})) parts.push({ name, data });
  const body = multipart(parts);
  const res = await server.app.inject({
    method: 'POST',
    url: `/api/v1/${object}/${id}/attachments`,
    headers: { authorization: `Bearer ${user.token}`, 'content-type': body.contentType, ...extra.headers },
    payload: body.payload,
  });
  return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
}

async function content(user: TestUser, id: string, query = '') {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/attachment/${id}/content${query}`, headers: { authorization: `Bearer ${user.token}` } });
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload };
}

/** Every blob file in a disk store (shard directories flattened), .tmp files included. */
function blobsOn(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function attachmentCount(): Promise<number> {
  const res = await admin.request('GET', '/api/v1/attachment?limit=200');
  return res.body.data.length;
}

async function roundTrip(store: FileStore) {
  configureAttachments(server.platform, { store });
  const acc = await buildAccount(admin);
  const res = await upload(admin, 'account', acc.id, { name: 'Quote 2031.pdf', data: PDF, type: 'text/html' }, { fields: { description: 'The signed quote', document_type: 'signed_quote', expires_on: '2031-12-31' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const a = res.body;
  expect(res.headers.location).toBe(`/api/v1/attachment/${a.id}`);
  // The stored type comes from the bytes, not from the client's Content-Type.
  expect(a).toMatchObject({ file_name: 'Quote 2031.pdf', description: 'The signed quote', document_type: 'signed_quote', expires_on: '2031-12-31', content_type: 'application/pdf', size_bytes: PDF.length, sha256: sha256(PDF), account: acc.id });
  expect(a.storage_key).toMatch(/^[0-9a-f-]{36}$/);
  expect((await admin.request('GET', `/api/v1/attachment/${a.id}`)).body).toEqual(a);

  const got = await content(admin, a.id);
  expect(got.status).toBe(200);
  expect(Buffer.compare(got.raw, PDF)).toBe(0);
  expect(got.headers['content-type']).toBe('application/pdf');
  expect(got.headers['content-length']).toBe(String(PDF.length));
  expect(got.headers['content-disposition']).toBe(`attachment; filename="Quote 2031.pdf"; filename*=UTF-8''Quote%202031.pdf`);
  expect(got.headers['x-content-type-options']).toBe('nosniff');
  expect(got.headers['content-security-policy']).toBe('sandbox');
  expect(got.headers['cache-control']).toContain('private');
  const inline = await content(admin, a.id, '?inline=1');
  expect(inline.status).toBe(200);
  expect(inline.headers['content-disposition']).toMatch(/^inline; /);
  return { account: acc, attachment: a };
}

describe('attachments', () => {
  it('uploads to disk and downloads the same bytes with safe headers', async () => {
    const { attachment } = await roundTrip(disk);
    expect(existsSync(disk.pathOf(attachment.storage_key))).toBe(true);
    expect(blobsOn(spoolDir())).toEqual([]);
  });

  it('uploads to an S3-compatible store and downloads the same bytes', async () => {
    const s3dir = path.join(dir, 's3');
    const s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: s3dir, silent: true, configureBuckets: [{ name: 'meridian', configs: [] }] });
    const { port } = await s3.run();
    try {
      const store = new S3Store({ endpoint: `http://127.0.0.1:${port}`, bucket: 'meridian', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
      const { attachment } = await roundTrip(store);
      expect(await store.get(attachment.storage_key)).toBeDefined();
      // Purge deletes the object in the bucket.
      expect((await admin.request('DELETE', `/api/v1/attachment/${attachment.id}`)).status).toBe(204);
      const entry = (await admin.request('GET', '/api/v1/recycle-bin?object=attachment')).body.data.find((e: any) => e.recordId === attachment.id);
      expect((await admin.request('DELETE', `/api/v1/recycle-bin/${entry.id}`)).status).toBe(200);
      expect(await store.get(attachment.storage_key)).toBeUndefined();
    } finally {
      await s3.close();
    }
  });

  it('refuses a file over the size limit while streaming, leaving no blob and no record', async () => {
    const acc = await buildAccount(admin);
    const before = await attachmentCount();
    const blobs = blobsOn(disk.root).length;
    const res = await upload(admin, 'account', acc.id, { name: 'big.txt', data: Buffer.alloc(200 * 1024, 'a') });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'payload_too_large', errors: [{ field: 'file', code: 'file_too_large' }] });
    expect(await attachmentCount()).toBe(before);
    expect(blobsOn(disk.root)).toHaveLength(blobs);
    expect(blobsOn(spoolDir())).toEqual([]);
    // Exactly at the limit is fine.
    expect((await upload(admin, 'account', acc.id, { name: 'fits.txt', data: Buffer.alloc(64 * 1024, 'a') })).status).toBe(201);
    // The upload limit is the file's own, not the JSON body limit (1 MiB on the test server).
    configureAttachments(server.platform, { maxBytes: 3 * 1024 * 1024 });
    const big = Buffer.alloc(1536 * 1024, 'b');
    const res2 = await upload(admin, 'account', acc.id, { name: 'big.txt', data: big });
    expect(res2.status).toBe(201);
    expect(Buffer.compare((await content(admin, res2.body.id)).raw, big)).toBe(0);
  });

  it('detects the real type and refuses executables, markup and scripts whatever their name', async () => {
    const acc = await buildAccount(admin);
    const before = await attachmentCount();
    const refused = [
      { name: 'report.pdf', data: ELF, type: 'application/pdf' },
      { name: 'report.pdf', data: '<!DOCTYPE html><html><script>alert(1)</script></html>', type: 'application/pdf' },
      { name: 'logo.png', data: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', type: 'image/png' },
      { name: 'run.sh', data: 'echo hello\n', type: 'text/plain' },
      { name: 'notes.txt', data: '#!/bin/sh\nrm -rf /\n', type: 'text/plain' },
      { name: 'photo.png.exe', data: PNG, type: 'image/png' },
      { name: 'blob.bin', data: randomBytes(4096), type: 'application/octet-stream' },
    ];
    for (const file of refused) {
      const res = await upload(admin, 'account', acc.id, file);
      expect(res.status, `${file.name}: ${JSON.stringify(res.body)}`).toBe(415);
      expect(res.body.errors[0]).toMatchObject({ field: 'file', code: 'file_type_not_allowed' });
    }
    expect(await attachmentCount()).toBe(before);
    const csv = await upload(admin, 'account', acc.id, { name: 'leads.csv', data: 'name;city\nMüller;Köln\n', type: 'application/vnd.ms-excel' });
    expect(csv.body.content_type).toBe('text/csv');
    const png = await upload(admin, 'account', acc.id, { name: 'screenshot', data: PNG, type: 'text/plain' });
    expect(png.body.content_type).toBe('image/png');
    // Text is never shown inline.
    const inline = await content(admin, csv.body.id, '?inline=1');
    expect(inline.status).toBe(400);
    // The allow-list is configurable: without images, a PNG is refused.
    configureAttachments(server.platform, { allowedTypes: new Set(['text/plain']) });
    expect((await upload(admin, 'account', acc.id, { name: 'p.png', data: PNG })).status).toBe(415);
  });

  it('deletes the stored file again when the record is refused', async () => {
    const acc = await buildAccount(admin);
    const before = await attachmentCount();
    const blobs = blobsOn(disk.root).length;
    const res = await upload(admin, 'account', acc.id, { name: 'cert.pdf', data: PDF }, { fields: { document_type: 'certificate', expires_on: '2031-02-30' } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'expires_on' });
    expect((await upload(admin, 'account', acc.id, { name: 'cert.pdf', data: PDF }, { fields: { document_type: 'poem' } })).body.errors[0]).toMatchObject({ field: 'document_type', code: 'invalid_choice' });
    expect(await attachmentCount()).toBe(before);
    expect(blobsOn(disk.root)).toHaveLength(blobs);
    // Expiring documents are found with an ordinary filter.
    const ok = await upload(admin, 'account', acc.id, { name: 'cert.pdf', data: PDF }, { fields: { document_type: 'certificate', expires_on: '2030-06-30' } });
    const filter = encodeURIComponent(JSON.stringify({ and: [{ field: 'account', op: 'eq', value: acc.id }, { field: 'expires_on', op: 'lt', value: '2030-07-01' }] }));
    expect((await admin.request('GET', `/api/v1/attachment?filter=${filter}`)).body.data.map((r: any) => r.id)).toEqual([ok.body.id]);
  });

  it('tells the owner once when a document comes within its expiry notice, and not about old ones', async () => {
    const acc = await buildAccount(admin);
    const doc = async (name: string, expires: string) => {
      const r = await upload(admin, 'account', acc.id, { name, data: PDF }, { fields: { expires_on: expires, document_type: 'certificate' } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const insurance = await doc('insurance.pdf', '2031-06-20');
    const permit = await doc('permit.pdf', '2031-05-20');
    const ancient = await doc('old-licence.pdf', '2031-01-01');
    const settings = { escalationHours: 24, expiryNoticeDays: 30 };
    const mine = async () => ((await admin.request('GET', '/api/v1/me/notifications?limit=100')).body.data as Array<{ kind: string; recordId: string; title: string }>)
      .filter((n) => n.kind === 'expiry' && [insurance, permit, ancient].includes(n.recordId));
    await sendDueReminders(server.platform, { now: new Date('2031-04-01T12:00:00Z'), settings });
    expect(await mine()).toEqual([]);
    await sendDueReminders(server.platform, { now: new Date('2031-05-25T12:00:00Z'), settings });
    await sendDueReminders(server.platform, { now: new Date('2031-05-25T12:01:00Z'), settings });
    const got = await mine();
    expect(got.map((n) => n.title).sort()).toEqual(['Expired: permit.pdf', 'Expires soon: insurance.pdf']);
  });

  it('is described as multipart upload and binary download in the OpenAPI document', async () => {
    const doc = (await admin.request('GET', '/api/v1/openapi.json')).body;
    const upload = doc.paths['/api/v1/{object}/{id}/attachments'].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(['multipart/form-data']);
    expect(upload.requestBody.content['multipart/form-data'].schema.properties.file).toEqual({ type: 'string', format: 'binary' });
    expect(Object.keys(doc.paths['/api/v1/attachment/{id}/content'].get.responses['200'].content)).toEqual(['*/*']);
  });

  it('refuses input that is not one file in multipart/form-data', async () => {
    const acc = await buildAccount(admin);
    const json = await admin.request('POST', `/api/v1/account/${acc.id}/attachments`, { body: { file: 'x' } });
    expect(json.status).toBe(415);
    const noFile = multipart([{ name: 'description', data: 'no file' }]);
    const res = await server.app.inject({ method: 'POST', url: `/api/v1/account/${acc.id}/attachments`, headers: { authorization: `Bearer ${admin.token}`, 'content-type': noFile.contentType }, payload: noFile.payload });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).errors[0]).toMatchObject({ field: 'file', code: 'required' });
    const empty = await upload(admin, 'account', acc.id, { name: 'empty.txt', data: '' });
    expect(empty.status).toBe(400);
    const wrongName = multipart([{ name: 'upload', filename: 'a.txt', data: 'hello' }]);
    const res2 = await server.app.inject({ method: 'POST', url: `/api/v1/account/${acc.id}/attachments`, headers: { authorization: `Bearer ${admin.token}`, 'content-type': wrongName.contentType }, payload: wrongName.payload });
    expect(res2.statusCode).toBe(400);
    // Clients never set what the server found out about the file.
    expect((await admin.request('POST', '/api/v1/attachment', { body: { file_name: 'x.txt' } })).body.errors[0]).toMatchObject({ field: 'file', code: 'upload_required' });
    const ok = await upload(admin, 'account', acc.id, { name: 'a.txt', data: 'hello' });
    const patch = await admin.request('PATCH', `/api/v1/attachment/${ok.body.id}`, { body: { content_type: 'text/html', storage_key: ok.body.id } });
    expect(patch.status).toBe(400);
    expect((await admin.request('PATCH', `/api/v1/attachment/${ok.body.id}`, { body: { file_name: 'page.html' } })).status).toBe(400);
    const renamed = await admin.request('PATCH', `/api/v1/attachment/${ok.body.id}`, { body: { file_name: '../renamed.txt', description: 'Renamed' } });
    expect(renamed.body).toMatchObject({ file_name: 'renamed.txt', description: 'Renamed', content_type: 'text/plain' });
  });

  describe('virus scanning', () => {
    let clamd: Server;
    let port: number;
    const scanned: Buffer[] = [];
    beforeAll(async () => {
      // A tiny clamd: zINSTREAM, length-prefixed chunks, a zero-length end; EICAR is "FOUND".
      clamd = createServer((socket) => {
        let buf = Buffer.alloc(0);
        let started = false;
        const data: Buffer[] = [];
        // Answer once: after the answer the client may still be sending chunks, which clamd ignores.
        let answered = false;
        const answer = (text: string) => {
          answered = true;
          socket.end(text);
        };
        socket.on('error', () => {});
        socket.on('data', (chunk: Buffer) => {
          if (answered) return;
          buf = Buffer.concat([buf, chunk]);
          if (!started) {
            if (buf.length < 10) return;
            if (buf.subarray(0, 10).toString('latin1') !== 'zINSTREAM\0') return void answer('UNKNOWN COMMAND\0');
            buf = buf.subarray(10);
            started = true;
          }
          while (buf.length >= 4) {
            const n = buf.readUInt32BE(0);
            if (n === 0) {
              const all = Buffer.concat(data);
              scanned.push(all);
              return void answer(all.includes(EICAR) ? 'stream: Eicar-Test-Signature FOUND\0' : 'stream: OK\0');
            }
            if (buf.length < 4 + n) return;
            data.push(buf.subarray(4, 4 + n));
            buf = buf.subarray(4 + n);
            // clamd's StreamMaxLength (here 100 KiB): it answers and hangs up mid-stream.
            if (data.reduce((t, d) => t + d.length, 0) > 100 * 1024) return void answer('INSTREAM size limit exceeded. ERROR\0');
          }
        });
      });
      await new Promise<void>((resolve) => clamd.listen(0, '127.0.0.1', resolve));
      port = (clamd.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => clamd.close(() => resolve())));

    it('stores clean files, refuses infected ones and fails closed when the scanner is down', async () => {
      setUploadScanner(server.platform, clamavScanner(`tcp://127.0.0.1:${port}`));
      const acc = await buildAccount(admin);
      const clean = await upload(admin, 'account', acc.id, { name: 'clean.pdf', data: PDF });
      expect(clean.status).toBe(201);
      expect(Buffer.compare(scanned.at(-1)!, PDF)).toBe(0);

      const before = await attachmentCount();
      const blobs = blobsOn(disk.root).length;
      const infected = await upload(admin, 'account', acc.id, { name: 'eicar.txt', data: EICAR });
      expect(infected.status).toBe(422);
      expect(infected.body.errors[0]).toMatchObject({ field: 'file', code: 'infected', message: 'Eicar-Test-Signature' });

      // A file over clamd's stream limit cannot be scanned: refused as well.
      configureAttachments(server.platform, { maxBytes: 4 * 1024 * 1024 });
      const tooBig = await upload(admin, 'account', acc.id, { name: 'big.txt', data: Buffer.alloc(3 * 1024 * 1024, 'c') });
      expect(tooBig.status).toBe(503);
      expect(tooBig.body.errors[0]).toMatchObject({ field: 'file', code: 'scanner_unavailable' });

      // Nothing listens on a closed port: the upload is refused, not stored unscanned.
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const deadPort = (closed.address() as { port: number }).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      setUploadScanner(server.platform, clamavScanner(`tcp://127.0.0.1:${deadPort}`));
      const down = await upload(admin, 'account', acc.id, { name: 'clean.pdf', data: PDF });
      expect(down.status).toBe(503);
      expect(down.body.errors[0]).toMatchObject({ field: 'file', code: 'scanner_unavailable' });

      expect(await attachmentCount()).toBe(before);
      expect(blobsOn(disk.root)).toHaveLength(blobs);
      expect(blobsOn(spoolDir())).toEqual([]);
    });
  });

  it('needs a readable record to upload and a readable attachment to download', async () => {
    expect((await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } })).status).toBe(200);
    expect((await admin.request('PUT', '/api/v1/sharing-settings/attachment', { body: { sharing: 'private' } })).status).toBe(200);
    try {
      const rep = await server.createUser();
      const opp = await buildOpportunity(admin);
      const mine = await upload(admin, 'opportunity', opp.id, { name: 'secret.pdf', data: PDF });
      expect(mine.status).toBe(201);
      const before = blobsOn(disk.root).length;
      const refused = await upload(rep, 'opportunity', opp.id, { name: 'x.txt', data: 'hello' });
      expect(refused.status).toBe(404);
      expect(blobsOn(disk.root)).toHaveLength(before);
      expect((await content(rep, mine.body.id)).status).toBe(404);
      expect((await upload(rep, 'opportunity', '00000000-0000-7000-8000-000000000000', { name: 'x.txt', data: 'hello' })).status).toBe(404);
      expect((await upload(rep, 'no_such_object', opp.id, { name: 'x.txt', data: 'hello' })).status).toBe(404);
      // Their own opportunity works.
      const own = await buildOpportunity(rep);
      expect((await upload(rep, 'opportunity', own.id, { name: 'mine.txt', data: 'hello' })).status).toBe(201);
    } finally {
      await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'public_read_write' } });
      await admin.request('PUT', '/api/v1/sharing-settings/attachment', { body: { sharing: 'public_read_write' } });
    }
  });

  it('shows attachments on the timeline of any record, through typed lookups or links', async () => {
    const acc = await buildAccount(admin);
    const a = await upload(admin, 'account', acc.id, { name: 'contract.pdf', data: PDF });
    const timeline = (await admin.request('GET', `/api/v1/account/${acc.id}/timeline`)).body.data;
    expect(timeline.find((i: any) => i.id === a.body.id)).toMatchObject({ kind: 'attachment', title: 'contract.pdf', status: 'application/pdf', upcoming: false, at: a.body.created_at });
    // A task has no typed lookup for attachments: an activity_link files it there.
    const task = await buildTask(admin);
    const t = await upload(admin, 'task', task.id, { name: 'agenda.txt', data: 'Agenda\n' });
    expect(t.status).toBe(201);
    const links = (await admin.request('GET', `/api/v1/activity_link?filter=${encodeURIComponent(JSON.stringify({ field: 'activity_id', op: 'eq', value: t.body.id }))}`)).body.data;
    expect(links).toMatchObject([{ activity_object: 'attachment', record_object: 'task', record_id: task.id }]);
    expect((await admin.request('GET', `/api/v1/task/${task.id}/timeline`)).body.data.map((i: any) => i.id)).toContain(t.body.id);
    // One file on several records: link it to the account as well.
    const link = await admin.request('POST', '/api/v1/activity_link', { body: { activity_object: 'attachment', activity_id: t.body.id, record_object: 'account', record_id: acc.id } });
    expect(link.status).toBe(201);
    expect((await admin.request('GET', `/api/v1/account/${acc.id}/timeline`)).body.data.map((i: any) => i.id)).toContain(t.body.id);
  });

  it('deletes to the recycle bin, restores, and frees the file on purge', async () => {
    const acc = await buildAccount(admin);
    const a = (await upload(admin, 'account', acc.id, { name: 'gone.pdf', data: PDF })).body;
    const file = disk.pathOf(a.storage_key);
    expect((await admin.request('DELETE', `/api/v1/attachment/${a.id}`)).status).toBe(204);
    expect((await content(admin, a.id)).status).toBe(404);
    expect((await admin.request('GET', `/api/v1/account/${acc.id}/timeline`)).body.data.map((i: any) => i.id)).not.toContain(a.id);
    expect(existsSync(file)).toBe(true);
    expect((await admin.request('POST', `/api/v1/attachment/${a.id}/restore`)).status).toBe(200);
    expect(Buffer.compare((await content(admin, a.id)).raw, PDF)).toBe(0);

    // Deleting the account takes its attachments along; purging the group frees their files.
    expect((await admin.request('DELETE', `/api/v1/account/${acc.id}`)).status).toBe(204);
    expect((await content(admin, a.id)).status).toBe(404);
    const entry = (await admin.request('GET', '/api/v1/recycle-bin?object=account')).body.data.find((e: any) => e.recordId === acc.id);
    expect(entry.dependents).toBeGreaterThanOrEqual(1);
    expect((await admin.request('DELETE', `/api/v1/recycle-bin/${entry.id}`)).status).toBe(200);
    expect(existsSync(file)).toBe(false);
  });

  it('keeps hostile file names harmless', async () => {
    const acc = await buildAccount(admin);
    const cases: Array<[string, string]> = [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['"; rm -rf ~ #.txt', '"; rm -rf ~ #.txt'],
      ['Résumé 履歴書 😀.txt', 'Résumé 履歴書 😀.txt'],
      ['invoice\u202Etxt.pdf', 'invoicetxt.pdf'],
      ['tab\there\u0007bell.txt', 'tabherebell.txt'],
      [`${'a'.repeat(400)}.txt`, `${'a'.repeat(251)}.txt`],
    ];
    for (const [sent, stored] of cases) {
      const data = sent.endsWith('.pdf') ? PDF : 'plain text\n';
      const res = await upload(admin, 'account', acc.id, { name: sent, data });
      expect(res.status, `${sent}: ${JSON.stringify(res.body)}`).toBe(201);
      expect(res.body.file_name).toBe(stored);
      const got = await content(admin, res.body.id);
      const disposition = String(got.headers['content-disposition']);
      // One header line, the fallback quoted without quotes or non-ASCII inside, the exact name in filename*.
      expect(disposition).toMatch(/^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!#$&+\-.^_`|~]+$/);
      expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe(stored);
    }
    const left = blobsOn(path.join(dir, 'etc'));
    expect(left).toEqual([]);
  });

  it('accepts uploads with the session cookie only from our own pages', async () => {
    const acc = await buildAccount(admin);
    const login = await anonymous(server)('POST', '/api/v1/auth/login', { email: 'admin@example.com', password: 'test-password-123' });
    const cookie = login.cookies.find((c: { name: string }) => c.name === 'meridian_session')!.value;
    const send = async (headers: Record<string, string>) => {
      const body = multipart([{ name: 'file', filename: 'c.txt', data: 'from the web app' }]);
      const res = await server.app.inject({ method: 'POST', url: `/api/v1/account/${acc.id}/attachments`, cookies: { meridian_session: cookie }, headers: { 'content-type': body.contentType, host: 'localhost:3000', ...headers }, payload: body.payload });
      return res.statusCode;
    };
    expect(await send({})).toBe(401);
    expect(await send({ origin: 'https://evil.example' })).toBe(401);
    expect(await send({ origin: 'http://localhost:3000' })).toBe(201);
  });

  it('sweeps spool files left by a crashed process at start-up', async () => {
    const spool = path.join(dir, 'old-spool');
    mkdirSync(spool, { recursive: true });
    writeFileSync(path.join(spool, 'old.upload'), 'x');
    writeFileSync(path.join(spool, 'fresh.upload'), 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(path.join(spool, 'old.upload'), twoDaysAgo, twoDaysAgo);
    expect(await sweepSpool(spool)).toBe(1);
    expect(readdirSync(spool)).toEqual(['fresh.upload']);
    expect(await sweepSpool(path.join(dir, 'missing'))).toBe(0);
  });

  it('sweeps blobs no attachment names (a crash between store and commit), keeping those of deleted records', async () => {
    const acc = await buildAccount(admin);
    const live = await upload(admin, 'account', acc.id, { name: 'live.pdf', data: PDF });
    const binned = await upload(admin, 'account', acc.id, { name: 'binned.pdf', data: PDF });
    expect((await admin.request('DELETE', `/api/v1/attachment/${binned.body.id}`)).status).toBe(204);
    const orphanKey = '01900000-0000-7000-8000-0000000000ab';
    await disk.put(orphanKey, Buffer.from('left behind'), { contentType: 'text/plain', size: 11 });
    const stray = `${disk.pathOf(orphanKey)}.deadbeef.tmp`;
    writeFileSync(stray, 'half');
    const freshKey = '01900000-0000-7000-8000-0000000000cd';
    await disk.put(freshKey, Buffer.from('in flight'), { contentType: 'text/plain', size: 9 });
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    for (const f of [disk.pathOf(orphanKey), stray, disk.pathOf(live.body.storage_key), disk.pathOf(binned.body.storage_key)]) utimesSync(f, old, old);

    const r = await sweepOrphanBlobs(server.platform);
    expect(r.removed).toBeGreaterThanOrEqual(2);
    expect(existsSync(disk.pathOf(orphanKey))).toBe(false);
    expect(existsSync(stray)).toBe(false);
    // Young blobs may still be uploads in flight; named ones stay, deleted records' too (restore).
    expect(existsSync(disk.pathOf(freshKey))).toBe(true);
    expect(existsSync(disk.pathOf(live.body.storage_key))).toBe(true);
    expect(existsSync(disk.pathOf(binned.body.storage_key))).toBe(true);
    expect((await content(admin, live.body.id)).status).toBe(200);
  });

  it('honours Idempotency-Key: a retry returns the first answer and stores nothing more', async () => {
    const acc = await buildAccount(admin);
    const headers = { 'idempotency-key': `attach-${randomBytes(6).toString('hex')}` };
    const first = await upload(admin, 'account', acc.id, { name: 'once.pdf', data: PDF }, { headers });
    expect(first.status).toBe(201);
    const blobs = blobsOn(disk.root).length;
    const again = await upload(admin, 'account', acc.id, { name: 'once.pdf', data: PDF }, { headers });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    // The spare copy is removed once the replayed answer has been sent.
    await expect.poll(() => blobsOn(disk.root).length).toBe(blobs);
    const other = await upload(admin, 'account', acc.id, { name: 'once.pdf', data: Buffer.concat([PDF, Buffer.from('x')]) }, { headers });
    expect(other.status).toBe(422);
    await expect.poll(() => blobsOn(disk.root).length).toBe(blobs);
  });
});
