import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer } from './server.ts';
import { inSavepoint, inTransaction, systemActor, UnitOfWork, type RecordContext, type TxContext } from '../src/platform/records/context.ts';
import { recordEvent } from '../src/platform/records/history.ts';
import { createRecord, updateRecord } from '../src/platform/records/write.ts';
import { deleteRecord } from '../src/platform/records/delete.ts';

// A command's history rows and outbox events are staged in its unit of work and written in one
// statement just before the transaction commits (context.ts, history.ts): these pin what that
// must keep true — nothing lost, nothing kept of what was rolled back, the outbox in call order.
let server: TestServer;
let base: RecordContext;
beforeAll(async () => {
  server = await getTestServer();
  base = { platform: server.platform, actor: systemActor('api') };
});
afterAll(async () => server?.close());

const account = () => server.platform.registry.requireObject('account');
const historyOf = async (ctx: { trx: TxContext['trx'] } | null, id: string) =>
  (await sql<{ operation: string; field: string | null }>`SELECT operation, field FROM record_history WHERE record_id = ${id} ORDER BY id`.execute(ctx?.trx ?? server.platform.db)).rows;
const eventsOf = async (id: string) =>
  (await sql<{ type: string }>`SELECT type FROM outbox_event WHERE record_id = ${id} ORDER BY seq`.execute(server.platform.db)).rows.map((e) => e.type);

describe('history and events staged until the transaction commits', () => {
  it('writes every change of a transaction when it commits, the outbox in the order the changes were made', async () => {
    let id = '';
    let seenInside: unknown[] = ['not read'];
    await inTransaction(base, async (ctx) => {
      id = (await createRecord({ ctx, object: account(), input: { name: 'Staged Generators' } })).id;
      await updateRecord({ ctx, object: account(), id, input: { industry: 'energy' } });
      await recordEvent({ ctx, type: 'account.checked', object: account(), recordId: id, data: { by: 'test' } });
      seenInside = await historyOf(ctx, id);
    });
    // Staged, not written, while the transaction ran.
    expect(seenInside).toEqual([]);
    expect(await historyOf(null, id)).toEqual([{ operation: 'create', field: null }, { operation: 'update', field: 'industry' }]);
    expect(await eventsOf(id)).toEqual(['account.created', 'account.updated', 'account.checked']);
  });

  it('drops what a rolled-back savepoint staged and keeps what a kept one did', async () => {
    let dropped = '';
    let kept = '';
    await inTransaction(base, async (ctx) => {
      await expect(inSavepoint(ctx, 'staged_probe', async (inner) => {
        dropped = (await createRecord({ ctx: inner, object: account(), input: { name: 'Rolled Back Roofing' } })).id;
        throw new Error('changed its mind');
      })).rejects.toThrow('changed its mind');
      kept = await inSavepoint(ctx, 'staged_probe', async (inner) => (await createRecord({ ctx: inner, object: account(), input: { name: 'Kept Printing' } })).id);
    });
    expect(await historyOf(null, dropped)).toEqual([]);
    expect(await eventsOf(dropped)).toEqual([]);
    expect(await historyOf(null, kept)).toEqual([{ operation: 'create', field: null }]);
    expect(await eventsOf(kept)).toEqual(['account.created']);
  });

  it('writes at once in a transaction opened without inTransaction, whose unit does not stage', async () => {
    let seenInside: unknown[] = [];
    let id = '';
    await server.platform.db.transaction().execute(async (trx) => {
      const ctx = { ...base, trx, uow: new UnitOfWork() };
      id = (await createRecord({ ctx, object: account(), input: { name: 'Unstaged Services' } })).id;
      seenInside = await historyOf(ctx, id);
    });
    expect(seenInside).toEqual([{ operation: 'create', field: null }]);
    expect(await eventsOf(id)).toEqual(['account.created']);
  });

  it('writes nothing when the transaction fails after its changes were staged', async () => {
    let id = '';
    await expect(inTransaction(base, async (ctx) => {
      id = (await createRecord({ ctx, object: account(), input: { name: 'Never Committed' } })).id;
      throw new Error('refused late');
    })).rejects.toThrow('refused late');
    expect(await historyOf(null, id)).toEqual([]);
    expect(await eventsOf(id)).toEqual([]);
  });

  it('takes a record the transaction created as existing, and not one it deleted or rolled back', async () => {
    const contact = () => server.platform.registry.requireObject('contact');
    const refusal = (error: unknown) => (error as { errors?: Array<{ field: string; code: string }> }).errors?.[0];
    await inTransaction(base, async (ctx) => {
      const made = await createRecord({ ctx, object: account(), input: { name: 'Made Here Ltd' } });
      expect((await createRecord({ ctx, object: contact(), input: { last_name: 'Here', account: made.id }, options: { allowDuplicate: true } })).account).toBe(made.id);
      const gone = await createRecord({ ctx, object: account(), input: { name: 'Gone Again Ltd' } });
      await deleteRecord({ ctx, object: account(), id: gone.id });
      const refused = await inSavepoint(ctx, 'staged_probe', (inner) => createRecord({ ctx: inner, object: contact(), input: { last_name: 'Gone', account: gone.id }, options: { allowDuplicate: true } })).catch((e: unknown) => e);
      expect(refusal(refused)).toMatchObject({ field: 'account', code: 'invalid_reference' });
      let undone = '';
      await inSavepoint(ctx, 'staged_probe', async (inner) => {
        undone = (await createRecord({ ctx: inner, object: account(), input: { name: 'Undone Ltd' } })).id;
        throw new Error('undo');
      }).catch(() => undefined);
      const stale = await inSavepoint(ctx, 'staged_probe', (inner) => createRecord({ ctx: inner, object: contact(), input: { last_name: 'Undone', account: undone }, options: { allowDuplicate: true } })).catch((e: unknown) => e);
      expect(refusal(stale)).toMatchObject({ field: 'account', code: 'invalid_reference' });
    });
  });
});
