import { sql } from 'kysely';
import type { BeforeSaveArgs, HookRegistry } from '../../platform/records/hooks.ts';
import { asSystem } from '../../platform/records/context.ts';
import { updateRecord } from '../../platform/records/write.ts';
import { billingSettings, isBlank, refuse, tableOf } from '../billing/index.ts';
import { renderReminder, sampleData } from './templates.ts';

const SAVE = ['create', 'update'] as const;

function wholeNumber(value: unknown, field: string, min: number, label: string): void {
  if (isBlank(value)) return;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) refuse(field, 'invalid', `${label} is a whole number, at least ${min}`);
}

/**
 * A level's save: level 1, 2, 3 … and days overdue as whole numbers, a fee not below zero, and
 * templates that render against the sample account (a typo or an unknown variable is a 422
 * naming the field, before any customer could get a broken e-mail).
 */
async function saveLevel({ ctx, merged }: BeforeSaveArgs): Promise<void> {
  wholeNumber(merged.level, 'level', 1, 'The level');
  wholeNumber(merged.days_overdue, 'days_overdue', 0, 'Days overdue');
  if (!isBlank(merged.fee) && Number(merged.fee) < 0) refuse('fee', 'invalid', 'A fee is not negative');
  if (typeof merged.subject !== 'string' || typeof merged.body !== 'string') return; // required: the pipeline says so
  const data = sampleData({
    level: { level: Number(merged.level) || 1, name: String(merged.name ?? ''), days_overdue: Number(merged.days_overdue) || 0, fee: isBlank(merged.fee) ? null : Number(merged.fee), final: merged.creates_task === true },
    company: billingSettings.of(ctx.platform).companyName, today: new Date().toISOString().slice(0, 10), publicUrl: ctx.platform.config.publicUrl,
  });
  await renderReminder({ subject: merged.subject, body: merged.body }, data);
}

/** One default schedule: making a schedule the default takes the flag from the previous one. */
async function saveSchedule({ ctx, data, previous }: BeforeSaveArgs): Promise<void> {
  if (data.is_default !== true) return;
  const others = await sql<{ id: string }>`SELECT id FROM ${tableOf(ctx, 'dunning_schedule')} WHERE is_default AND deleted_at IS NULL ${previous ? sql`AND id <> ${previous.id}::uuid` : sql``}`.execute(ctx.trx);
  const object = ctx.platform.registry.requireObject('dunning_schedule');
  for (const o of others.rows) await updateRecord({ ctx: asSystem(ctx), object, id: o.id, input: { is_default: false } });
}

export function registerDunningHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'dunning.level', object: 'dunning_level', operations: [...SAVE], run: saveLevel });
  hooks.register('beforeSave', { name: 'dunning.schedule', object: 'dunning_schedule', operations: [...SAVE], run: saveSchedule });
}
