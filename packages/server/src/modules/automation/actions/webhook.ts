import { recordEvent } from '../../../platform/records/history.ts';
import { registerAutomationAction } from './registry.ts';

export const WEBHOOK_EVENT = 'automation_rule.webhook';

interface WebhookConfig {
  /** A label the receiver sees (which hook of which rule). */
  name: string;
  /** The record's fields sent along (all readable ones when empty). */
  fields: string[];
}

/**
 * Call a webhook: the rule writes an `automation_rule.webhook` event to the outbox with the run,
 * and Meridian's webhook deliveries send it to every subscription to that event — signed per
 * Standard Webhooks, retried, dead-lettered and replayable like every other event (so no second
 * implementation of signing and retries lives here). Committed with the run: sent once per run.
 */
registerAutomationAction<WebhookConfig>({
  type: 'webhook',
  transactional: true,
  label: 'Call a webhook',
  phases: ['after_save'],
  check({ config, path, errors, object, registry }) {
    const name = typeof config.name === 'string' && config.name.length <= 200 ? config.name : '';
    if (!name) errors.push({ field: `${path}.name`, code: 'required', message: 'A name of at most 200 characters, sent as data.name' });
    const fields = Array.isArray(config.fields) ? config.fields : [];
    for (const f of fields) if (typeof f !== 'string' || !registry.getField(object, f)) errors.push({ field: `${path}.fields`, code: 'unknown_field', message: `${object.label} has no field '${String(f).slice(0, 64)}'` });
    return { name, fields: fields as string[] };
  },
  async run({ ctx, config, object, record, rule, actedFor }) {
    const values = config.fields.length ? Object.fromEntries(config.fields.map((f) => [f, record[f] ?? null])) : record;
    await recordEvent({
      ctx, type: WEBHOOK_EVENT, object: ctx.platform.registry.requireObject('automation_rule'), recordId: rule.id,
      data: { name: config.name, rule: rule.name, object: object.apiName, recordId: record.id, record: values, actedFor },
    });
    return { event: WEBHOOK_EVENT, name: config.name };
  },
  async describe({ config, object, record }) {
    return `Send '${config.name}' with ${object.label.toLowerCase()} ${record.id} to the subscriptions of ${WEBHOOK_EVENT}`;
  },
});
