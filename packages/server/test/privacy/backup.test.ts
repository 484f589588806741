import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from '../server.ts';
import { buildAccount } from '../factories.ts';
import { configureAttachments } from '../../src/modules/activities/attachments/config.ts';
import { DiskStore } from '../../src/modules/activities/attachments/storage/disk.ts';
import { backupFromServer, restoreFromFile } from '../../src/cli/backup.ts';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/boot.ts';
import { modules } from '../../src/modules/index.ts';
import { openDatabase } from '../../src/platform/db/connection.ts';
import { checksumsOf } from '../../src/platform/backup/restore.ts';
import { parseManifest, type BackupManifest } from '../../src/platform/backup/manifest.ts';
import { compareChecksums } from '../../src/platform/backup/checksums.ts';

/**
 * Backup and restore (issue 15 item 11): a backup taken over real HTTP while contacts are being
 * written, restored into an empty target, equals the source at the snapshot point — every
 * table's count and checksum as the snapshot's own transaction recorded them, the attached
 * file byte for byte, and no write half in: the restored contacts are exactly the first N written.
 */
let server: TestServer;
let dir: string;
let baseUrl: string;
const pgUrl = process.env.DATABASE_URL;
const extraDatabases: string[] = [];

beforeAll(async () => {
  server = await getTestServer();
  dir = mkdtempSync(path.join(tmpdir(), 'meridian-backup-test-'));
  configureAttachments(server.platform, { store: new DiskStore(path.join(dir, 'source-files')), spoolDir: path.join(dir, 'spool') });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await server?.close();
  if (pgUrl) {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    for (const name of extraDatabases) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An empty restore target: a new PostgreSQL database, or a new PGlite data directory. */
async function emptyTarget(label: string): Promise<Config> {
  const config = { ...loadConfig({}), dataDir: path.join(dir, `target-${label}`), databaseUrl: undefined as string | undefined };
  if (!pgUrl) return config;
  const name = `meridian_restore_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  extraDatabases.push(name);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return { ...config, databaseUrl: url.toString() };
}

async function uploadFile(accountId: string, name: string, data: Buffer) {
  const boundary = `----meridian${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await server.app.inject({ method: 'POST', url: `/api/v1/account/${accountId}/attachments`, headers: { authorization: `Bearer ${server.admin.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  expect(res.statusCode, res.body).toBe(201);
  return JSON.parse(res.body) as { id: string; storage_key: string };
}

async function readManifest(file: string): Promise<BackupManifest> {
  const extract = tar.extract();
  const feeding = pipeline(createReadStream(file), createGunzip(), extract);
  let manifest: BackupManifest | undefined;
  for await (const entry of extract) {
    if (entry.header.name === 'manifest.json') {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      manifest = parseManifest(Buffer.concat(chunks).toString('utf8'));
    } else entry.resume();
  }
  await feeding;
  return manifest!;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const logger = createLogger('silent');

describe('meridian backup and restore', () => {
  it('backs up while writes run, and the restore equals the source at the snapshot point', async () => {
    const account = await buildAccount(server.admin);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\n'), randomBytes(5000), Buffer.from('\n%%EOF\n')]);
    const attachment = await uploadFile(account.id, 'Signed contract.pdf', pdf);

    // A writer creating numbered contacts one after another until told to stop.
    let written = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const n = written + 1;
        const res = await server.admin.request('POST', '/api/v1/contact', { body: { last_name: `Writer ${String(n).padStart(5, '0')}`, account: account.id } });
        expect(res.status, res.text).toBe(201);
        written = n;
      }
    })();
    await expect.poll(() => written, { timeout: 30_000 }).toBeGreaterThanOrEqual(5);

    const file = path.join(dir, 'backup.tar.gz');
    const writtenBefore = written;
    let writtenAtSnapshot = -1;
    const backup = backupFromServer({ file, url: baseUrl, token: server.admin.token, onSnapshot: () => (writtenAtSnapshot = written) });
    await expect.poll(() => writtenAtSnapshot, { timeout: 300_000 }).toBeGreaterThanOrEqual(0);
    // Writes carry on after the snapshot: the source moves past it.
    await expect.poll(() => written, { timeout: 60_000 }).toBeGreaterThan(writtenAtSnapshot + 2);
    stop = true;
    await writer;
    const result = await backup;
    const writtenAtEnd = writtenAtSnapshot;

    const manifest = await readManifest(file);
    expect(result).toMatchObject({ tables: manifest.tables.length, files: 1, missingFiles: 0 });
    const contacts = manifest.tables.find((t) => t.table === 'public.obj_contact')!;
    expect(contacts.rows).toBeGreaterThanOrEqual(writtenBefore);
    expect(contacts.rows).toBeLessThanOrEqual(writtenAtEnd + 1);
    expect(manifest.files).toEqual([expect.objectContaining({ source: 'attachments', key: attachment.storage_key, size: pdf.length, sha256: sha256(pdf) })]);

    // Restore into an empty target: the restore checks every table against the manifest itself.
    const target = await emptyTarget('a');
    const summary = await restoreFromFile({ file, config: target, modules, logger });
    expect(compareChecksums(manifest.tables, summary.tables)).toEqual([]);
    expect(summary.files).toBe(1);

    // Independently: the restored contacts are exactly the first N written, none half-in.
    const restored = await openDatabase(target.databaseUrl ? { databaseUrl: target.databaseUrl, poolSize: 2 } : { dataDir: target.dataDir });
    try {
      const names = (await restored.db.selectFrom('obj_contact').select('last_name').where('last_name', 'like', 'Writer %').orderBy('last_name').execute()).map((r) => r.last_name as string);
      expect(names.length).toBe(contacts.rows);
      expect(names).toEqual(Array.from({ length: names.length }, (_, i) => `Writer ${String(i + 1).padStart(5, '0')}`));
      const history = await restored.db.selectFrom('record_history').select((eb) => eb.fn.countAll<string>().as('n')).where('object', '=', 'contact').where('operation', '=', 'create').where('field', 'is', null).where('record_id', 'in', restored.db.selectFrom('obj_contact').select('id').where('last_name', 'like', 'Writer %')).executeTakeFirstOrThrow();
      expect(Number(history.n)).toBe(names.length);
      // The record tables are as the snapshot recorded them (start-up work after the restore may touch system rows).
      const now = await checksumsOf(restored);
      const recordTables = (ts: BackupManifest['tables']) => ts.filter((t) => t.table.startsWith('public.obj_'));
      expect(compareChecksums(recordTables(manifest.tables), recordTables(now))).toEqual([]);
    } finally {
      await restored.close();
    }
    // The attached file is back, byte for byte, in the target's store.
    const store = new DiskStore(path.join(target.dataDir, 'files'));
    expect(sha256(readFileSync(store.pathOf(attachment.storage_key)))).toBe(sha256(pdf));

    // A second restore into the now non-empty target is refused and changes nothing.
    await expect(restoreFromFile({ file, config: target, modules, logger })).rejects.toThrow(/not empty/);
  }, 900_000);

  it('refuses a backup from anyone but an administrator', async () => {
    const user = await server.createUser();
    const res = await user.request('POST', '/api/v1/admin/backup');
    expect(res.status).toBe(403);
    await expect(backupFromServer({ file: path.join(dir, 'refused.tar.gz'), url: baseUrl, token: user.token })).rejects.toThrow(/refused the backup \(403\)/);
  });
});
