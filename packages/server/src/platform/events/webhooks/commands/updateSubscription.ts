import { sql } from 'kysely';
import { validationFailed, type FieldError } from '../../../errors.ts';
import type { Platform } from '../../../kernel.ts';
import type { Actor } from '../../../records/context.ts';
import { assertAdmin } from '../../../access/policy.ts';
import { writeAudit } from '../../audit.ts';
import { assertBody, validateUrl, validateEvents, validateCondition, validateDescription, load } from './input.ts';
import { present, type SubscriptionRow } from './presenters.ts';

export async function updateSubscription(args: { platform: Platform; actor: Actor; id: string; input: unknown }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  await platform.registry.ensureFresh();
  const current = await load(platform, args.id);
  const body = assertBody(args.input);
  const errors: FieldError[] = [];
  const url = body.url === undefined ? current.url : validateUrl(body.url, errors);
  const events = body.events === undefined ? current.events : validateEvents(platform, body.events, errors);
  let cond: { condition: unknown; object: string | null } | undefined = { condition: current.condition ?? null, object: current.condition_object };
  if (events && (body.condition !== undefined || body.events !== undefined)) {
    cond = validateCondition(platform, body.condition === undefined ? current.condition : body.condition, events, errors);
  }
  const description = body.description === undefined ? current.description : validateDescription(body.description, errors);
  if (body.active !== undefined && typeof body.active !== 'boolean') errors.push({ field: 'active', code: 'type', message: 'Must be true or false' });
  if (errors.length || !url || !events || !cond) throw validationFailed(errors);
  const active = (body.active as boolean | undefined) ?? current.active;
  const reactivated = active && !current.active;
  const row = await platform.db.transaction().execute(async (trx) => {
    const r = await sql<SubscriptionRow>`UPDATE webhook_subscription SET url = ${url}, events = ${events}::text[],
        condition = ${cond.condition === null ? null : JSON.stringify(cond.condition)}::jsonb, condition_object = ${cond.object}, description = ${description ?? null},
        active = ${active}, updated_at = now()
        ${reactivated ? sql`, disabled_at = NULL, disabled_reason = NULL, failing_since = NULL, consecutive_dead_letters = 0` : sql``}
        ${!active && current.active ? sql`, disabled_at = now(), disabled_reason = 'manual'` : sql``}
      WHERE id = ${current.id} RETURNING *`.execute(trx);
    if (reactivated) await sql`SELECT pg_notify('meridian_webhooks', '')`.execute(trx);
    await writeAudit(trx, { action: 'webhook.updated', actor, target: { type: 'webhook', id: current.id }, details: { changed: Object.keys(body), url, events, condition: cond.condition, active } });
    return r.rows[0]!;
  });
  return present(row);
}
