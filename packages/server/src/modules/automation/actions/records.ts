import { createRecord, updateRecord } from '../../../platform/records/write.ts';
import { registerAutomationAction, type ActionCheck } from './registry.ts';
import { checkValues, renderValues, type ValueMap } from './values.ts';

interface UpdateConfig extends ValueMap {
  /** 'record' or a lookup field of the triggering object (its parent). */
  target: string;
  targetObject: string;
}

function targetOf(args: ActionCheck): { target: string; object: ActionCheck['object'] } | undefined {
  const target = args.config.target === undefined ? 'record' : args.config.target;
  if (target === 'record') return { target, object: args.object };
  if (args.phase === 'before_save') {
    args.errors.push({ field: `${args.path}.target`, code: 'invalid', message: 'Before save, a rule changes only the record being saved' });
    return undefined;
  }
  const f = typeof target === 'string' ? args.registry.getField(args.object, target) : undefined;
  const object = f?.lookup ? args.registry.getObject(f.lookup.object) : undefined;
  if (!f || !object) {
    args.errors.push({ field: `${args.path}.target`, code: 'unknown_field', message: `'record' or a lookup field of ${args.object.label}` });
    return undefined;
  }
  return { target: f.apiName, object };
}

/** Update fields of the record, or of its parent through a lookup (before save: the record only, in the same write). */
registerAutomationAction<UpdateConfig>({
  type: 'update_fields',
  transactional: true,
  label: 'Update fields',
  phases: ['before_save', 'after_save'],
  check(args) {
    const t = targetOf(args);
    if (!t) return { target: 'record', targetObject: args.object.apiName, values: {}, lookups: [] };
    return { target: t.target, targetObject: t.object.apiName, ...checkValues({ ...args, target: t.object }) };
  },
  async run({ ctx, config, record, scope }) {
    const id = config.target === 'record' ? record.id : (record[config.target] as string | null);
    if (!id) return { skipped: `${config.target} is empty` };
    const object = ctx.platform.registry.requireObject(config.targetObject);
    const input = renderValues(config, scope);
    await updateRecord({ ctx, object, id, input });
    return { object: object.apiName, id, values: input };
  },
  async describe({ ctx, config, record, scope }) {
    const id = config.target === 'record' ? record.id : (record[config.target] as string | null);
    if (!id) return `Nothing: ${config.target} is empty`;
    const object = ctx.platform.registry.requireObject(config.targetObject);
    return `Set ${JSON.stringify(renderValues(config, scope))} on ${object.label} ${id}`;
  },
});

interface CreateConfig extends ValueMap {
  object: string;
}

/** Create a record of any object (a follow-up task for the owner, a project) with templated values. */
registerAutomationAction<CreateConfig>({
  type: 'create_record',
  transactional: true,
  label: 'Create a record',
  phases: ['after_save'],
  check(args) {
    const target = typeof args.config.object === 'string' ? args.registry.getObject(args.config.object) : undefined;
    if (!target) {
      args.errors.push({ field: `${args.path}.object`, code: 'unknown_object', message: `There is no object '${String(args.config.object ?? '').slice(0, 64)}'` });
      return { object: '', values: {}, lookups: [] };
    }
    return { object: target.apiName, ...checkValues({ ...args, target }) };
  },
  async run({ ctx, config, scope }) {
    const object = ctx.platform.registry.requireObject(config.object);
    const created = await createRecord({ ctx, object, input: renderValues(config, scope) });
    return { object: object.apiName, id: created.id };
  },
  async describe({ ctx, config, scope }) {
    const object = ctx.platform.registry.requireObject(config.object);
    return `Create a ${object.label.toLowerCase()} with ${JSON.stringify(renderValues(config, scope))}`;
  },
});
