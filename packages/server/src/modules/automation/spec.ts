import { AppError, type FieldError } from '../../platform/errors.ts';
import type { Registry } from '../../platform/metadata/registry.ts';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import { parseCondition, type ParsedCondition } from '../../platform/query/index.ts';
import { coerceValue } from '../../platform/records/values.ts';
import { CronExpressionParser } from 'cron-parser';
import { automationAction } from './actions/registry.ts';
import { PHASES, TRIGGERS, type Phase, type Trigger } from './objects.ts';

export const MAX_ACTIONS = 20;

/** A rule as the engine runs it: every part checked and parsed once (rules are cached per process). */
export interface CompiledRule {
  id: string;
  name: string;
  object: string;
  order: number;
  trigger: Trigger;
  field: string | null;
  from?: { value: unknown };
  to?: { value: unknown };
  condition: ParsedCondition | null;
  onlyOnChange: boolean;
  phase: Phase;
  actions: Array<{ type: string; config: any }>;
  owner: string | null;
  /** Time-based: the actions run `ms` after (negative: before) the event or the date field's value. */
  delay: { ms: number; from: 'event' | string } | null;
  /** Scheduled rules: the cron expression (organisation's zone). */
  cron: string | null;
}

function validCron(cron: string): boolean {
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
    return true;
  } catch {
    return false;
  }
}

const UNIT_MS: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

function compileDelay(rule: Record<string, unknown>, object: ObjectDefinition, registry: Registry, phase: Phase, errors: FieldError[]): CompiledRule['delay'] {
  const amount = rule.delay_amount;
  if (amount === null || amount === undefined || amount === '') return null;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || Math.abs(amount) > 100_000) {
    errors.push({ field: 'delay_amount', code: 'invalid', message: 'A number of units' });
    return null;
  }
  if (phase !== 'after_save') errors.push({ field: 'delay_amount', code: 'invalid', message: 'Only after-save rules can wait' });
  const unit = String(rule.delay_unit ?? 'days');
  if (!UNIT_MS[unit]) errors.push({ field: 'delay_unit', code: 'invalid', message: 'minutes, hours or days' });
  const from = typeof rule.delay_from === 'string' && rule.delay_from !== '' ? rule.delay_from : 'event';
  if (from !== 'event') {
    const f = registry.getField(object, from);
    if (!f || (f.type !== 'date' && f.type !== 'datetime')) errors.push({ field: 'delay_from', code: 'unknown_field', message: `'event' or a date field of ${object.label}` });
  }
  return { ms: amount * (UNIT_MS[unit] ?? 0), from };
}

function parseJson(text: unknown, field: string, errors: FieldError[]): unknown {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    errors.push({ field, code: 'invalid_json', message: 'Must be valid JSON' });
    return undefined;
  }
}

/** trigger_from / trigger_to: JSON when it parses (true, 5, "won"), else the plain text. */
function triggerValue(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Checks a rule record and compiles it, or answers the errors, each naming the field (and for
 * actions the entry, `actions[1].values.stage`). Used when a rule is saved and when the engine
 * loads rules (a field deleted since makes a saved rule fail here: the engine disables it).
 */
export function compileRule(rule: Record<string, unknown>, registry: Registry): { rule?: CompiledRule; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const object = typeof rule.target_object === 'string' ? registry.getObject(rule.target_object) : undefined;
  if (!object) return { errors: [{ field: 'target_object', code: 'unknown_object', message: `There is no object '${String(rule.target_object ?? '').slice(0, 64)}'` }] };
  if (object.apiName === 'automation_rule') return { errors: [{ field: 'target_object', code: 'invalid', message: 'Rules cannot trigger on workflow rules' }] };
  const trigger = rule.trigger as Trigger;
  const phase = (rule.phase ?? 'after_save') as Phase;
  if (!TRIGGERS.includes(trigger)) errors.push({ field: 'trigger', code: 'invalid', message: `One of ${TRIGGERS.join(', ')}` });
  if (!PHASES.includes(phase)) errors.push({ field: 'phase', code: 'invalid', message: `One of ${PHASES.join(', ')}` });
  if (phase === 'before_save' && trigger === 'deleted') errors.push({ field: 'phase', code: 'invalid', message: 'A deleted record cannot be changed before it is saved: use after save' });

  let field: string | null = null;
  let from: CompiledRule['from'];
  let to: CompiledRule['to'];
  if (trigger === 'field_changed') {
    const f = typeof rule.trigger_field === 'string' ? registry.getField(object, rule.trigger_field) : undefined;
    if (!f) errors.push({ field: 'trigger_field', code: 'unknown_field', message: `${object.label} has no field '${String(rule.trigger_field ?? '').slice(0, 64)}'` });
    else {
      field = f.apiName;
      for (const [key, set] of [['trigger_from', (v: unknown) => (from = { value: v })], ['trigger_to', (v: unknown) => (to = { value: v })]] as const) {
        if (rule[key] === null || rule[key] === undefined || rule[key] === '') continue;
        const c = coerceValue(f, triggerValue(rule[key]), key);
        if (c.ok) set(c.value);
        else errors.push(c.error);
      }
    }
  }

  let condition: ParsedCondition | null = null;
  const conditionInput = parseJson(rule.condition, 'condition', errors);
  if (conditionInput !== undefined) {
    try {
      condition = parseCondition({ input: conditionInput, object, registry, source: 'condition' });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors.push(...(error.errors.length ? error.errors : [{ field: 'condition', code: 'invalid_filter', message: error.message }]));
    }
  }

  const delay = compileDelay(rule, object, registry, phase, errors);
  let cron: string | null = null;
  if (trigger === 'scheduled') {
    cron = typeof rule.schedule_cron === 'string' ? rule.schedule_cron.trim() : '';
    if (phase !== 'after_save') errors.push({ field: 'phase', code: 'invalid', message: 'Scheduled rules run after save' });
    if (delay) errors.push({ field: 'delay_amount', code: 'invalid', message: 'A scheduled rule runs at its schedule: no delay' });
    if (!/^\S+( \S+){4}$/.test(cron) || !validCron(cron)) errors.push({ field: 'schedule_cron', code: 'invalid', message: 'A cron expression of five fields, e.g. 0 8 * * 1' });
  }
  const actions: CompiledRule['actions'] = [];
  const list = parseJson(rule.actions, 'actions', errors);
  if (list === undefined && !errors.some((e) => e.field === 'actions')) errors.push({ field: 'actions', code: 'required', message: 'A rule needs at least one action' });
  else if (list !== undefined && (!Array.isArray(list) || list.length === 0 || list.length > MAX_ACTIONS)) {
    errors.push({ field: 'actions', code: 'invalid', message: `A JSON list of 1 to ${MAX_ACTIONS} actions` });
  } else if (Array.isArray(list)) {
    list.forEach((entry: unknown, i) => {
      const path = `actions[${i}]`;
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return void errors.push({ field: path, code: 'invalid', message: 'Each action is a JSON object with a type' });
      const { type, ...config } = entry as Record<string, unknown>;
      const action = typeof type === 'string' ? automationAction(type) : undefined;
      if (!action) return void errors.push({ field: `${path}.type`, code: 'unknown_action', message: `Unknown action type '${String(type).slice(0, 64)}'` });
      if (!action.phases.includes(phase)) return void errors.push({ field: `${path}.type`, code: 'invalid', message: `'${action.type}' cannot run ${phase === 'before_save' ? 'before save' : 'after save'}` });
      const checked = action.check({ config, object, registry, path, errors, phase });
      actions.push({ type: action.type, config: checked });
    });
  }
  if (errors.length) return { errors };
  return {
    errors,
    rule: {
      id: String(rule.id), name: String(rule.name ?? ''), object: object.apiName, order: Number(rule.run_order ?? 100), trigger, field, from, to,
      condition, onlyOnChange: rule.only_on_change === true, phase, actions, owner: (rule.owner as string | null) ?? null, delay, cron,
    },
  };
}
