import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, validationFailed } from '../errors.ts';
import { presentForActor } from '../records/present.ts';
import { inTransaction, type RecordContext, type TxContext } from '../records/context.ts';

/**
 * Idempotency-Key (PLT-3): the first successful answer to a POST is stored in the same
 * transaction as its writes, so a retry with the same key returns that answer and writes
 * nothing; the same key with a different request is refused.
 */
export async function withIdempotency<T>(args: {
  request: FastifyRequest;
  reply: FastifyReply;
  ctx: RecordContext;
  status: number;
  run: (ctx: TxContext) => Promise<T>;
}): Promise<unknown> {
  const { request, reply, ctx } = args;
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    const result = await inTransaction(ctx, args.run);
    return reply.status(args.status).send(result);
  }
  const key = Array.isArray(header) ? header[0] : header;
  if (!key || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw validationFailed([{ field: 'Idempotency-Key', code: 'invalid', message: '1–255 visible ASCII characters' }]);
  }
  const requestHash = createHash('sha256').update(`${request.method} ${request.url.split('?')[0]} ${request.url.split('?')[1] ?? ''} ${JSON.stringify(request.body ?? null)}`).digest('hex');
  const userId = ctx.actor.userId;
  const existing = await sql<{ request_hash: string; status_code: number; response: unknown }>`SELECT request_hash, status_code, response FROM idempotency_key WHERE user_id = ${userId} AND key = ${key}`.execute(ctx.platform.db);
  const found = existing.rows[0];
  if (found) {
    if (found.request_hash !== requestHash) {
      throw new AppError('idempotency_mismatch', 'This Idempotency-Key was already used for a different request');
    }
    return reply.status(found.status_code).header('idempotent-replayed', 'true').send(found.response);
  }
  try {
    const result = await inTransaction(ctx, async (tx) => {
      // Stored as the caller may see it: a replay never answers fields the profile hides.
      const r = presentForActor(ctx.platform.registry, ctx.actor, await args.run(tx));
      await sql`INSERT INTO idempotency_key (user_id, key, request_hash, status_code, response) VALUES (${userId}, ${key}, ${requestHash}, ${args.status}, ${JSON.stringify(r)}::jsonb)`.execute(tx.trx);
      return r;
    });
    return reply.status(args.status).send(result);
  } catch (error) {
    if ((error as { code?: string }).code === '23505' && /idempotency_key/.test(String((error as { constraint?: string }).constraint ?? (error as Error).message))) {
      throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is being processed; retry in a moment');
    }
    throw error;
  }
}
