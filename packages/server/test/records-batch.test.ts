import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer } from './server.ts';
import { buildAccount } from './factories.ts';
import { systemActor, type RecordContext } from '../src/platform/records/context.ts';
import { createRecord, createRecords, updateRecord } from '../src/platform/records/write.ts';
import { updateRecords } from '../src/platform/records/updateMany.ts';
import type { ApiRecord } from '../src/platform/records/hooks.ts';
import { buildActor } from '../src/platform/auth/sessions.ts';

/**
 * createRecords (several records of one object through the pipeline together, as a document's
 * lines are written): each record validated with its own path, the lookups of all checked,
 * defaults and owner set, one history change and one event per record in order — and a record
 * refused by a check or by the database refuses the batch, named by its path, leaving nothing.
 */
let server: TestServer;
let ctx: RecordContext;
beforeAll(async () => {
  server = await getTestServer();
  ctx = { platform: server.platform, actor: { ...systemActor('api'), userId: server.admin.id } };
});
afterAll(async () => server?.close());

const contact = () => server.platform.registry.requireObject('contact');
const product = () => server.platform.registry.requireObject('product');
const countOf = async (table: string, where: ReturnType<typeof sql>) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${where}`.execute(server.platform.db)).rows[0]!.n;

describe('createRecords', () => {
  it('creates every record with defaults and owner, one history change and one event each, in order', async () => {
    const account = await buildAccount(server.admin, {});
    const tag = `batch${Math.random().toString(36).slice(2, 8)}`;
    const records = await createRecords({
      ctx, object: contact(),
      records: ['Ada', 'Grace', 'Edsger'].map((first, i) => ({ input: { first_name: first, last_name: tag, account: account.id }, options: { pathPrefix: `records[${i}].` } })),
    });
    expect(records.map((r) => r.first_name)).toEqual(['Ada', 'Grace', 'Edsger']);
    for (const r of records) expect(r).toMatchObject({ last_name: tag, account: account.id, owner: server.admin.id, version: 1 });
    const events = (await sql<{ record_id: string; type: string; changes: any }>`SELECT record_id, type, changes FROM outbox_event
      WHERE record_id = ANY(${records.map((r) => r.id)}::uuid[]) ORDER BY seq`.execute(server.platform.db)).rows;
    expect(events.map((e) => [e.record_id, e.type])).toEqual(records.map((r) => [r.id, 'contact.created']));
    expect(events[1]!.changes.first_name).toEqual({ old: null, new: 'Grace' });
    const history = (await sql<{ record_id: string; changes: number }>`SELECT record_id, count(DISTINCT change_id)::int AS changes FROM record_history
      WHERE record_id = ANY(${records.map((r) => r.id)}::uuid[]) AND operation = 'create' GROUP BY record_id`.execute(server.platform.db)).rows;
    expect(history).toHaveLength(3);
    for (const h of history) expect(h.changes).toBe(1);
  });

  it('writes the history a single create writes — one row carrying the created values, listed field by field — and an update\'s old values', async () => {
    const account = await buildAccount(server.admin, {});
    const tag = `hist${Math.random().toString(36).slice(2, 8)}`;
    const input = { first_name: 'Ada', last_name: tag, account: account.id, email: `${tag}@example.com`, title: 'Quote "this", \\ and that' };
    const single = await createRecord({ ctx, object: contact(), input });
    const [batched] = await createRecords({ ctx, object: contact(), records: [{ input: { ...input, email: `${tag}.b@example.com` } }, { input: { ...input, email: `${tag}.c@example.com` } }] });
    const historyOf = async (id: string) => (await sql<{ id: string; change_id: string; operation: string; field: string | null; old_value: unknown; new_value: unknown; changes: Record<string, { old: unknown; new: unknown }> | null; actor_id: string; via: string }>`
      SELECT id, change_id, operation, field, old_value, new_value, changes, actor_id, via FROM record_history WHERE record_id = ${id} ORDER BY id`.execute(server.platform.db)).rows;
    const eventOf = async (id: string, type: string) => (await sql<{ changes: Record<string, { old: unknown; new: unknown }> }>`SELECT changes FROM outbox_event WHERE record_id = ${id} AND type = ${type}`.execute(server.platform.db)).rows[0]!.changes;
    const a = await historyOf(single.id);
    const b = await historyOf(batched!.id);
    // One row per create, without a field, the change document on it — the event's own.
    for (const rows of [a, b]) expect(rows.map((h) => [h.operation, h.field, h.old_value, h.new_value, h.actor_id, h.via])).toEqual([['create', null, null, null, ctx.actor.userId, ctx.actor.via]]);
    expect(b[0]!.changes).toEqual(await eventOf(batched!.id, 'contact.created'));
    expect(Object.keys(b[0]!.changes!).sort()).toEqual(Object.keys(a[0]!.changes!).sort());
    expect(b[0]!.changes!.title!.new).toBe(input.title);

    // The history API lists it as before: the row without a field, then each created field under
    // ids just below it — also page by page, a cursor falling among the create's fields.
    const event = await eventOf(batched!.id, 'contact.created');
    const whole = await server.admin.request('GET', `/api/v1/contact/${batched!.id}/history`);
    expect(whole.status).toBe(200);
    const entries = whole.body.data as Array<{ id: string; changeId: string; field: string | null; oldValue: unknown; newValue: unknown }>;
    expect(entries[0]).toMatchObject({ id: b[0]!.id, field: null, operation: 'create', changeId: b[0]!.change_id });
    expect(entries.slice(1).map((e) => e.field).sort()).toEqual(Object.keys(event).sort());
    for (const e of entries.slice(1)) expect([e.oldValue, e.newValue, e.changeId]).toEqual([event[e.field!]!.old ?? null, event[e.field!]!.new ?? null, b[0]!.change_id]);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort().reverse());
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    const paged: typeof entries = [];
    let cursor: string | null = null;
    do {
      const page = await server.admin.request('GET', `/api/v1/contact/${batched!.id}/history?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      paged.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(entries);

    await updateRecord({ ctx, object: contact(), id: batched!.id, input: { title: null, first_name: 'Grace' } });
    const update = (await historyOf(batched!.id)).filter((h) => h.operation === 'update');
    expect(update.map((h) => [h.field, h.old_value, h.new_value]).filter(([f]) => f !== 'full_name')).toEqual([['first_name', 'Ada', 'Grace'], ['title', input.title, null]]);
  });

  it('refuses the batch for one bad record — a missing field, a forged lookup, a duplicate the database refuses — naming it, and writes nothing', async () => {
    const account = await buildAccount(server.admin, {});
    const tag = `refused${Math.random().toString(36).slice(2, 8)}`;
    const attempt = (records: Array<Record<string, unknown>>, object = contact()) =>
      createRecords({ ctx, object, records: records.map((input, i) => ({ input, options: { pathPrefix: `records[${i}].` } })) }).then(() => null, (e) => e);
    const missing = await attempt([{ last_name: tag, account: account.id }, { first_name: 'No last name', account: account.id }]);
    expect(missing.errors).toEqual([expect.objectContaining({ field: 'records[1].last_name', code: 'required' })]);
    const forged = await attempt([{ last_name: tag, account: account.id }, { last_name: tag, account: '0190aaaa-0000-7000-8000-000000000000' }]);
    expect(forged.errors).toEqual([expect.objectContaining({ field: 'records[1].account', code: 'invalid_reference' })]);
    expect(await countOf('obj_contact', sql`last_name = ${tag}`)).toBe(0);

    const unit = (await sql<{ id: string }>`SELECT id FROM obj_unit_of_measure WHERE code = 'each'`.execute(server.platform.db)).rows[0]!.id;
    const code = `SKU-${tag}`;
    const duplicate = await attempt([{ code: `${code}-a`, name: 'A', unit_of_measure: unit }, { code, name: 'B', unit_of_measure: unit }, { code, name: 'C', unit_of_measure: unit }], product());
    expect(duplicate.errors[0]).toMatchObject({ field: expect.stringMatching(/^records\[2\]\.code/) });
    expect(await countOf('obj_product', sql`code LIKE ${`${code}%`}`)).toBe(0);
  });
});

/**
 * updateRecords (several records of one object updated together, as the orders an invoice is
 * made from are marked): the same history rows and events as one updateRecord per record, the
 * same access refusals, and a refused record named by its path, leaving nothing written.
 */
describe('createRecords beyond one statement', () => {
  it('inserts a batch needing more than 65,535 parameters in several statements, every record once and in order', async () => {
    const account = await buildAccount(server.admin, {});
    const tag = `big${Math.random().toString(36).slice(2, 8)}`;
    // ~25 columns a row: 3,000 rows need ~75,000 parameters, more than one statement binds.
    const input = (i: number) => ({
      first_name: `F${i}`, last_name: tag, account: account.id, title: 'T', department: 'D', email: `p${i}@${tag}.example`, phone: '+1 555 0100', mobile: '+1 555 0101',
      birthdate: '1990-01-01', description: 'x', mailing_street: 'S', mailing_city: 'C', mailing_state: 'ST', mailing_postal_code: 'P', mailing_country: 'US',
    });
    const records = await createRecords({ ctx, object: contact(), records: Array.from({ length: 3000 }, (_, i) => ({ input: input(i) })) });
    expect(records.map((r) => r.first_name)).toEqual(Array.from({ length: 3000 }, (_, i) => `F${i}`));
    expect(await countOf('obj_contact', sql`last_name = ${tag}`)).toBe(3000);
  });
});

describe('updateRecords', () => {
  const historyOf = async (id: string) => (await sql<{ operation: string; field: string | null; old_value: unknown; new_value: unknown }>`SELECT operation, field, old_value, new_value
    FROM record_history WHERE record_id = ${id} AND operation = 'update' ORDER BY id`.execute(server.platform.db)).rows;
  const eventsOf = async (id: string) => (await sql<{ type: string; changes: unknown; actor: unknown }>`SELECT type, changes, actor FROM outbox_event
    WHERE record_id = ${id} AND type = 'contact.updated' ORDER BY seq`.execute(server.platform.db)).rows;
  const failure = (p: Promise<unknown>) => p.then(() => null, (e) => e);
  /** Updates one set of new contacts with updateRecords and a twin set with one updateRecord each; answers both, after checking their history and events are the same. */
  const updateBothWays = async (make: () => Promise<ApiRecord[]>, inputs: Array<Record<string, unknown>>) => {
    const batch = await make();
    const single = await make();
    const updated = await updateRecords({ ctx, object: contact(), records: batch.map((r, i) => ({ id: r.id, input: inputs[i] })) });
    const one: typeof updated = [];
    for (const [i, r] of single.entries()) one.push(await updateRecord({ ctx, object: contact(), id: r.id, input: inputs[i] }));
    for (const [i, r] of batch.entries()) {
      expect(await historyOf(r.id)).toEqual(await historyOf(single[i]!.id));
      expect(await eventsOf(r.id)).toEqual(await eventsOf(single[i]!.id));
    }
    const strip = (r: Record<string, unknown>) => {
      const { id: _i, created_at: _c, updated_at: _u, name: _n, first_name: _f, full_name: _fn, ...rest } = r;
      return rest;
    };
    expect(updated.map(strip)).toEqual(one.map(strip));
    return { batch, updated };
  };

  it('writes the records, their history and their events exactly as one updateRecord each would', async () => {
    const account = await buildAccount(server.admin, {});
    const tag = `upd${Math.random().toString(36).slice(2, 8)}`;
    // Same title for some (one shared UPDATE), a phone of its own for another (its own), one unchanged.
    const inputs = [{ title: 'Buyer' }, { title: 'Buyer' }, { title: 'Buyer', phone: '+1 555 0101' }, { last_name: tag }];
    const make = () => createRecords({ ctx, object: contact(), records: inputs.map((_, i) => ({ input: { first_name: `P${i}`, last_name: tag, account: account.id } })) });
    const { batch, updated } = await updateBothWays(make, inputs);
    expect(updated.map((r) => r.id)).toEqual(batch.map((r) => r.id));
    expect(updated.map((r) => r.version)).toEqual([2, 2, 2, 1]);
    expect((await historyOf(batch[2]!.id)).map((h) => h.field).sort()).toEqual(['phone', 'title']);
    expect(await eventsOf(batch[3]!.id)).toEqual([]);
  });

  it('writes records given values of their own for the same fields with one statement, exactly as one updateRecord each would', async () => {
    const [home, away] = [await buildAccount(server.admin, {}), await buildAccount(server.admin, {})];
    const tag = `own${Math.random().toString(36).slice(2, 8)}`;
    // The same fields (text, lookup, boolean, date) to different values each: one UPDATE from a JSON document of the rows.
    const inputs = [
      { title: 'Buyer', account: away.id, is_primary: true, birthdate: '1980-02-03' },
      { title: 'Seller', account: home.id, is_primary: false, birthdate: '1991-12-31' },
      { title: 'Owner', account: away.id, is_primary: true, birthdate: '2000-01-01' },
    ];
    const make = () => createRecords({ ctx, object: contact(), records: inputs.map((_, i) => ({ input: { first_name: `R${i}`, last_name: tag, account: home.id, is_primary: i !== 1, birthdate: '1970-01-01' } })) });
    const { updated } = await updateBothWays(make, inputs);
    expect(updated.map((r) => [r.title, r.account, r.is_primary, r.birthdate, r.version])).toEqual(inputs.map((x) => [x.title, x.account, x.is_primary, x.birthdate, 2]));
    // A value of its own the database refuses (another product's code): written again one by one, naming the record.
    const unit = (await sql<{ id: string }>`SELECT id FROM obj_unit_of_measure WHERE code = 'each'`.execute(server.platform.db)).rows[0]!.id;
    const products = await createRecords({ ctx, object: product(), records: ['a', 'b', 'c'].map((x) => ({ input: { code: `SKU-${tag}-${x}`, name: x, unit_of_measure: unit } })) });
    const taken = await failure(updateRecords({ ctx, object: product(), records: [`SKU-${tag}-x`, `SKU-${tag}-y`, `SKU-${tag}-x`].map((code, i) => ({ id: products[i]!.id, input: { code }, options: { pathPrefix: `records[${i}].` } })) }));
    expect(taken.errors[0]).toMatchObject({ field: expect.stringMatching(/^records\[2\]\.code/) });
    expect(await countOf('obj_product', sql`code LIKE ${`SKU-${tag}-%`} AND version = 1`)).toBe(3);
  });

  it('refuses the batch for one bad record — its input, a required field, a unique value the database refuses — naming it, and writes nothing', async () => {
    const account = await buildAccount(server.admin, {});
    const tag = `bad${Math.random().toString(36).slice(2, 8)}`;
    const people = await createRecords({ ctx, object: contact(), records: [0, 1, 2].map((i) => ({ input: { first_name: `Q${i}`, last_name: tag, account: account.id } })) });
    const attempt = (inputs: Array<Record<string, unknown>>, object = contact(), ids = people.map((p) => p.id)) =>
      failure(updateRecords({ ctx, object, records: inputs.map((input, i) => ({ id: ids[i]!, input, options: { pathPrefix: `records[${i}].` } })) }));
    const required = await attempt([{ title: 'A' }, { last_name: '' }, { title: 'C' }]);
    expect(required.errors).toEqual([expect.objectContaining({ field: 'records[1].last_name', code: 'required' })]);
    const typed = await attempt([{ title: 'A' }, { title: 'B' }, { email: 'not an address' }]);
    expect(typed.errors).toEqual([expect.objectContaining({ field: 'records[2].email' })]);
    const stale = await attempt([{ title: 'A', version: 7 }, { title: 'B' }, { title: 'C' }]);
    expect(stale.code).toBe('version_conflict');
    const missing = '0190aaaa-0000-7000-8000-000000000000';
    const gone = await attempt([{ title: 'A' }, { title: 'B' }], contact(), [people[0]!.id, missing]);
    expect(gone.code).toBe('not_found');
    expect(gone.message).toContain(missing);
    expect(await countOf('obj_contact', sql`last_name = ${tag} AND version = 1 AND title IS NULL`)).toBe(3);
    expect(await countOf('record_history', sql`record_id = ANY(${people.map((p) => p.id)}::uuid[]) AND operation = 'update'`)).toBe(0);

    // Two products given one code: the shared UPDATE is refused, then written one by one to name the second.
    const unit = (await sql<{ id: string }>`SELECT id FROM obj_unit_of_measure WHERE code = 'each'`.execute(server.platform.db)).rows[0]!.id;
    const products = await createRecords({ ctx, object: product(), records: ['a', 'b', 'c'].map((x) => ({ input: { code: `SKU-${tag}-${x}`, name: x, unit_of_measure: unit } })) });
    const duplicate = await attempt([{ description: 'kept' }, { code: `SKU-${tag}-same` }, { code: `SKU-${tag}-same` }], product(), products.map((p) => p.id));
    expect(duplicate.errors[0]).toMatchObject({ field: expect.stringMatching(/^records\[2\]\.code/) });
    expect(await countOf('obj_product', sql`code LIKE ${`SKU-${tag}-%`} AND version = 1`)).toBe(3);
  });

  it('refuses a record the actor may see but not change, as updateRecord does, and writes none of the batch', async () => {
    const account = () => server.platform.registry.requireObject('account');
    const before = (await server.admin.request('GET', '/api/v1/sharing-settings')).body.data.find((x: { object: string }) => x.object === 'account').sharing;
    expect((await server.admin.request('PUT', '/api/v1/sharing-settings/account', { body: { sharing: 'public_read' } })).status).toBe(200);
    try {
      const user = await server.createUser();
      const rep: RecordContext = { platform: server.platform, actor: await buildActor(server.platform, { id: user.id, email: user.email, profile: 'standard', active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' }, 'api') };
      const tag = `acc${Math.random().toString(36).slice(2, 8)}`;
      const [mine] = await createRecords({ ctx: rep, object: account(), records: [{ input: { name: `${tag} mine` } }] });
      const [theirs] = await createRecords({ ctx, object: account(), records: [{ input: { name: `${tag} theirs` } }] });
      const alone = await failure(updateRecord({ ctx: rep, object: account(), id: theirs!.id, input: { phone: '+1 555 0100' } }));
      const batch = await failure(updateRecords({ ctx: rep, object: account(), records: [{ id: mine!.id, input: { phone: '+1 555 0100' } }, { id: theirs!.id, input: { phone: '+1 555 0100' } }] }));
      expect(alone?.code).toBe('forbidden');
      expect([batch?.code, batch?.message]).toEqual([alone.code, alone.message]);
      expect(await countOf('obj_account', sql`name LIKE ${`${tag}%`} AND phone IS NULL AND version = 1`)).toBe(2);
      // The rep's own record alone goes through.
      const [done] = await updateRecords({ ctx: rep, object: account(), records: [{ id: mine!.id, input: { phone: '+1 555 0100' } }] });
      expect(done).toMatchObject({ phone: '+1 555 0100', version: 2 });
    } finally {
      await server.admin.request('PUT', '/api/v1/sharing-settings/account', { body: { sharing: before } });
    }
  });
});
