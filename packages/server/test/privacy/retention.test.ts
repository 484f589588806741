import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from '../server.ts';
import { buildContact, buildLead } from '../factories.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { privacySettings, parseRetention } from '../../src/modules/privacy/settings.ts';
import { purgeExpired } from '../../src/modules/privacy/retention/purgeExpired.ts';

/** Retention (issue 15 item 10): deleted records older than their object's retention are purged by the nightly job. */
let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => {
  await server?.close();
});

const inBin = async (id: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM recycle_bin WHERE record_id = ${id}::uuid`.execute(server.platform.db)).rows[0]!.n;
const stored = async (table: string, id: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE id = ${id}::uuid`.execute(server.platform.db)).rows[0]!.n;

describe('retention of deleted records', () => {
  it('purges deleted records past their object\'s retention and keeps the rest', async () => {
    const contact = await buildContact(server.admin);
    const lead = await buildLead(server.admin);
    const live = await buildContact(server.admin);
    expect((await server.admin.request('DELETE', `/api/v1/contact/${contact.id}`)).status).toBeLessThan(300);
    expect((await server.admin.request('DELETE', `/api/v1/lead/${lead.id}`)).status).toBeLessThan(300);
    overrideSettings(server.platform, privacySettings, { retentionDays: 0, retentionPerObject: { contact: 1 } });

    // Not yet a day old: nothing goes.
    expect(await purgeExpired(server.platform)).toEqual({ purged: 0, skipped: 0 });
    expect(await inBin(contact.id)).toBe(1);

    const twoDaysOn = new Date(Date.now() + 2 * 86_400_000);
    const result = await purgeExpired(server.platform, twoDaysOn);
    expect(result.purged).toBeGreaterThanOrEqual(1);
    expect(await inBin(contact.id)).toBe(0);
    expect(await stored('obj_contact', contact.id)).toBe(0);
    // Leads have no retention configured; live records are never touched.
    expect(await inBin(lead.id)).toBe(1);
    expect(await stored('obj_contact', live.id)).toBe(1);
  });

  it('reads per-object retention as object=days pairs and refuses anything else', () => {
    expect(parseRetention('lead=30, contact=365')).toEqual({ lead: 30, contact: 365 });
    expect(parseRetention('')).toEqual({});
    expect(() => parseRetention('lead:30')).toThrow(/object=days/);
  });
});
