import { randomBytes } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { loadForUpdate, updateRecord } from '../../../platform/records/write.ts';
import { decryptSecret, encryptSecret } from '../../../platform/events/webhooks/secrets.ts';

/** How long the previous secret keeps working after a new one is made: time to change the shop's setting. */
const OVERLAP_HOURS = 24;
const aad = (sourceId: string) => `order-intake:${sourceId}`;

/**
 * Makes a new signing secret for an order source and answers it once (it is never shown again).
 * It is stored encrypted like webhook secrets (AES-256-GCM under a key derived from the server's
 * signing key, bound to the source's id); the previous secret keeps working for 24 hours so the
 * shop can be switched over without refused orders.
 */
export function rotateIntakeSecret(args: { ctx: RecordContext; id: string }): Promise<{ secret: string; hint: string; previousValidUntil: string | null }> {
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.requireObject('order_intake_source');
    const source = await loadForUpdate(ctx, object, args.id, { mode: 'edit' });
    const secret = `misec_${randomBytes(32).toString('base64url')}`;
    const until = new Date(Date.now() + OVERLAP_HOURS * 3_600_000);
    const previous = await sql`UPDATE orders_intake_secret SET expires_at = ${until} WHERE source_id = ${source.id} AND (expires_at IS NULL OR expires_at > now()) RETURNING source_id`.execute(ctx.trx);
    await sql`INSERT INTO orders_intake_secret (source_id, secret_enc, created_at) VALUES (${source.id}, ${encryptSecret(ctx.platform.signingKey, aad(source.id), secret)}, now())`.execute(ctx.trx);
    const hint = `${secret.slice(0, 10)}…`;
    await updateRecord({ ctx, object, id: source.id, input: {}, options: { systemValues: { secret_hint: hint } } });
    return { secret, hint, previousValidUntil: previous.rows.length ? until.toISOString() : null };
  });
}

/**
 * The encrypted secrets an order source's signatures may be made with now (the new one, and the
 * previous during the overlap), as an array column of the statement that reads the source.
 */
export const activeSecretsOf = (sourceId: RawBuilder<unknown>): RawBuilder<string[]> =>
  sql`ARRAY(SELECT s.secret_enc FROM orders_intake_secret s WHERE s.source_id = ${sourceId} AND (s.expires_at IS NULL OR s.expires_at > now()) ORDER BY s.created_at DESC)`;

/** The secrets read by activeSecretsOf, decrypted. */
export function openIntakeSecrets(ctx: TxContext, sourceId: string, encrypted: string[]): string[] {
  return encrypted.map((e) => decryptSecret(ctx.platform.signingKey, aad(sourceId), e));
}
