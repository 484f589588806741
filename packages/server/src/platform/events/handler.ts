import { sql } from 'kysely';
import { systemActor, UnitOfWork, type Channel, type TxContext } from '../records/context.ts';
import type { EventSubscriber, OutboxEvent } from './outbox.ts';

/**
 * An outbox subscriber that acts on some event types in the dispatcher's transaction — what it
 * writes commits exactly when the events count as handled — as the system. Each event runs under
 * its own savepoint: one that fails (a record deleted since, a rule refusing) is rolled back,
 * logged and skipped, so it never stops the outbox for every other subscriber. Its after-commit
 * work runs once the dispatch has committed. The handler must be idempotent: an event can be
 * delivered again after a crash.
 */
export function eventHandler(args: { name: string; types: readonly string[]; via?: Channel; run: (ctx: TxContext, event: OutboxEvent) => Promise<unknown> }): EventSubscriber {
  const savepoint = sql.id(args.name.replace(/[^a-z0-9_]/gi, '_'));
  return {
    name: args.name,
    async handle({ platform, trx, events, afterCommit }) {
      for (const event of events) {
        if (!args.types.includes(event.type)) continue;
        const uow = new UnitOfWork();
        await sql`SAVEPOINT ${savepoint}`.execute(trx);
        try {
          await args.run({ platform, actor: systemActor(args.via ?? 'workflow'), trx, uow }, event);
          await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
          afterCommit(() => void uow.flush((error) => platform.logger.error({ err: error, handler: args.name }, 'after-commit work of an event handler failed')));
        } catch (error) {
          await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
          platform.logger.error({ err: error, handler: args.name, event: event.type, record: event.recordId }, 'an event handler failed; the event was skipped');
        }
      }
    },
  };
}
