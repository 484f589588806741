import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { text } from 'node:stream/consumers';
import { getTestServer, type TestServer } from '../server.ts';
import { ok } from '../access/fixture.ts';
import { BinaryLines, MAX_COPY_EXPORTS, takeCopySlot } from '../../src/platform/records/export/copyLines.ts';
import { planExport } from '../../src/platform/records/export/planExport.ts';
import { streamExport } from '../../src/platform/records/export/streamExport.ts';
import { systemActor } from '../../src/platform/records/context.ts';

/**
 * Stop 31 (issue 15 item 14): on PostgreSQL a CSV export whose lines PostgreSQL writes streams them
 * through one COPY statement on a connection of its own. The bytes are the keyset pages' (see
 * export-cells.test.ts); here: the binary framing is stripped whatever the chunking, every row is
 * counted for the audit, and an abandoned download ends the statement.
 */
let server: TestServer;
const ROWS = 60_000;

/** A binary COPY stream of `lines`, as PostgreSQL frames it. */
function framed(lines: string[]): Buffer {
  const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const line of lines) {
    const bytes = Buffer.from(line);
    const head = Buffer.alloc(6);
    head.writeInt16BE(1, 0);
    head.writeInt32BE(bytes.length, 2);
    parts.push(head, bytes);
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

beforeAll(async () => {
  server = await getTestServer();
  ok(await server.admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'copy_item', label: 'Copy item', pluralLabel: 'Copy items' } }));
  ok(await server.admin.request('POST', '/api/v1/metadata/objects/copy_item/fields', { body: { apiName: 'note', label: 'Note', type: 'long_text' } }));
  const object = server.platform.registry.requireObject('copy_item');
  await sql`INSERT INTO ${sql.table(object.table)} (id, name, note, owner_id, created_by, updated_by)
    SELECT gen_random_uuid(), 'Item ' || lpad(g::text, 6, '0'), repeat('a note, "quoted"' || E'\n', 20), ${server.admin.id}, ${server.admin.id}, ${server.admin.id}
    FROM generate_series(1, ${ROWS}::int) g`.execute(server.platform.db);
});
afterAll(async () => server?.close());

describe('CSV exports through COPY', () => {
  it('strips the binary framing whatever the chunks, counting each line once it is whole', () => {
    const lines = ['a,b\r\n', '"x\ny",😀\r\n', '\r\n', `${'z'.repeat(300)}\r\n`];
    const stream = framed(lines);
    for (const size of [1, 2, 3, 5, 7, 19, 20, 21, 64, stream.length]) {
      const binary = new BinaryLines();
      const out: Buffer[] = [];
      let rows = 0;
      for (let i = 0; i < stream.length; i += size) {
        const page = binary.push(stream.subarray(i, i + size));
        out.push(page.bytes);
        rows += page.rows;
      }
      expect(binary.done).toBe(true);
      expect(rows).toBe(lines.length);
      expect(Buffer.concat(out).toString()).toBe(lines.join(''));
    }
    expect(() => new BinaryLines().push(Buffer.from('not a copy stream at all'))).toThrow(/not a binary COPY stream/);
  });

  it.runIf(process.env.DATABASE_URL)('audits the rows COPY sent, and an abandoned download ends the statement', async () => {
    const ctx = { platform: server.platform, actor: systemActor('api') };
    const object = server.platform.registry.requireObject('copy_item');
    const input = { format: 'csv', header: 'api', fields: 'name,note', sort: 'name' };
    const whole = await planExport({ ctx, object, input });
    expect(whole.copy).toBe(true);
    const body = await text(streamExport(whole));
    expect(body.split('\r\n').filter((l) => /^[0-9a-f-]{36},Item /.test(l)).length).toBe(ROWS);
    const audit = async () => (await sql<{ details: { rows: number; completed: boolean } }>`SELECT details FROM audit_log WHERE action = 'records.exported' ORDER BY seq DESC LIMIT 1`.execute(server.platform.db)).rows[0]!.details;
    await expect.poll(audit).toMatchObject({ rows: ROWS, completed: true });

    const copies = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (%' AND state = 'active'`.execute(server.platform.db)).rows[0]!.n;
    const stream = streamExport(await planExport({ ctx, object, input }));
    let chunks = 0;
    for await (const chunk of stream) {
      expect(chunk.length).toBeGreaterThan(0);
      // The first chunk is the header; by the second the statement runs, held back by the download
      // (~25 MB do not fit the sockets' buffers).
      if (++chunks < 2) continue;
      expect(await copies()).toBe(1);
      break;
    }
    // The loop's break destroyed the stream: the download went away with most of the file unsent.
    await expect.poll(copies, { timeout: 5000 }).toBe(0);
    await expect.poll(audit).toMatchObject({ completed: false });
    expect((await audit()).rows).toBeLessThan(ROWS);
  });

  it('reads keyset pages, with the same bytes, while every COPY slot is taken', async () => {
    const ctx = { platform: server.platform, actor: systemActor('api') };
    const object = server.platform.registry.requireObject('copy_item');
    const input = { format: 'csv', header: 'api', fields: 'name,note', sort: 'name' };
    const first = await text(streamExport(await planExport({ ctx, object, input })));
    const taken = Array.from({ length: MAX_COPY_EXPORTS }, () => takeCopySlot(server.platform.database));
    try {
      expect(taken.every(Boolean)).toBe(true);
      expect(takeCopySlot(server.platform.database)).toBeNull();
      const plan = await planExport({ ctx, object, input });
      const copies = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (%'`.execute(server.platform.db)).rows[0]!.n;
      const paged = await text(streamExport(plan));
      expect(paged).toBe(first);
      expect(await copies()).toBe(0);
    } finally {
      for (const release of taken) release?.();
    }
    const slot = takeCopySlot(server.platform.database);
    expect(slot).not.toBeNull();
    slot!();
  });
});
