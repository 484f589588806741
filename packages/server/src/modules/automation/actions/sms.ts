import type { Platform } from '../../../platform/kernel.ts';
import { renderTemplate } from '../templates.ts';
import { registerAutomationAction } from './registry.ts';
import { checkText } from './values.ts';

/** Sends text messages. The default only logs them; an installation plugs in its gateway with setSmsProvider. */
export interface SmsProvider {
  name: string;
  send(platform: Platform, message: { to: string; text: string }): Promise<{ id: string }>;
}

export const loggingSmsProvider: SmsProvider = {
  name: 'log',
  async send(platform, message) {
    // The number is logged, the text is not (it may carry customer data).
    platform.logger.info({ to: message.to, length: message.text.length }, 'SMS (logging provider)');
    return { id: `log-${Date.now()}` };
  },
};

const providers = new WeakMap<Platform, SmsProvider>();
export function setSmsProvider(platform: Platform, provider: SmsProvider): void {
  providers.set(platform, provider);
}

/** The gateway an installation plugged in, if any (lead alerts text owners only then, not to the log). */
export function configuredSmsProvider(platform: Platform): SmsProvider | undefined {
  return providers.get(platform);
}

interface SmsConfig {
  /** A phone field of the record. */
  field: string;
  text: string;
  lookups: string[];
}

registerAutomationAction<SmsConfig>({
  type: 'send_sms',
  label: 'Send an SMS',
  phases: ['after_save'],
  check(args) {
    const f = typeof args.config.field === 'string' ? args.registry.getField(args.object, args.config.field) : undefined;
    if (!f || f.type !== 'phone') args.errors.push({ field: `${args.path}.field`, code: 'unknown_field', message: `A phone field of ${args.object.label}` });
    const text = checkText({ ...args, key: 'text', max: 1600 });
    return { field: f?.apiName ?? '', text: text.text, lookups: text.lookups };
  },
  async run({ ctx, config, record, scope }) {
    const to = record[config.field];
    if (typeof to !== 'string' || !to) return { skipped: `${config.field} is empty` };
    const provider = providers.get(ctx.platform) ?? loggingSmsProvider;
    const sent = await provider.send(ctx.platform, { to, text: renderTemplate(config.text, scope) });
    return { provider: provider.name, id: sent.id, to };
  },
  async describe({ config, record, scope }) {
    return `SMS to ${String(record[config.field] ?? '(empty)')}: ${renderTemplate(config.text, scope)}`;
  },
});
