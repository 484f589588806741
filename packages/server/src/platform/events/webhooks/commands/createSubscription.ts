import { sql } from 'kysely';
import { uuidv7 } from '../../../ids.ts';
import { validationFailed, type FieldError } from '../../../errors.ts';
import type { Platform } from '../../../kernel.ts';
import type { Actor } from '../../../records/context.ts';
import { assertAdmin } from '../../../access/policy.ts';
import { writeAudit } from '../../audit.ts';
import { encryptSecret, newWebhookSecret, secretHint } from '../secrets.ts';
import { assertBody, validateUrl, validateEvents, validateCondition, validateDescription } from './input.ts';
import { present, type SubscriptionRow } from './presenters.ts';

/** Creates a subscription; the answer carries the signing secret, shown this once. */
export async function createSubscription(args: { platform: Platform; actor: Actor; input: unknown }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  await platform.registry.ensureFresh();
  const body = assertBody(args.input);
  const errors: FieldError[] = [];
  const url = validateUrl(body.url, errors);
  const events = validateEvents(platform, body.events, errors);
  const cond = events ? validateCondition(platform, body.condition, events, errors) : undefined;
  const description = validateDescription(body.description, errors);
  if (body.active !== undefined && typeof body.active !== 'boolean') errors.push({ field: 'active', code: 'type', message: 'Must be true or false' });
  if (errors.length || !url || !events || !cond) throw validationFailed(errors);
  const id = uuidv7();
  const secret = newWebhookSecret();
  const row = await platform.db.transaction().execute(async (trx) => {
    const r = await sql<SubscriptionRow>`INSERT INTO webhook_subscription (id, url, events, condition, condition_object, description, active, secret_enc, secret_hint, created_by)
      VALUES (${id}, ${url}, ${events}::text[], ${cond.condition === null ? null : JSON.stringify(cond.condition)}::jsonb, ${cond.object}, ${description ?? null},
        ${body.active ?? true}, ${encryptSecret(platform.signingKey, id, secret)}, ${secretHint(secret)}, ${actor.userId}::uuid) RETURNING *`.execute(trx);
    await writeAudit(trx, { action: 'webhook.created', actor, target: { type: 'webhook', id }, details: { url, events, condition: cond.condition, active: body.active ?? true } });
    return r.rows[0]!;
  });
  return { ...present(row), secret };
}
