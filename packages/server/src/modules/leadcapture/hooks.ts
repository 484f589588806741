import type { AfterSaveArgs, BeforeSaveArgs, HookRegistry } from '../../platform/records/hooks.ts';
import { parseCondition } from '../../platform/query/index.ts';
import { isBlank, refuse } from '../billing/index.ts';
import { assignByRules } from './assign.ts';
import { saveWebForm } from './form.ts';
import { notifyAssignedOwner } from './notify.ts';
import { recordAssignment, recordCapture, recordContact } from './speed.ts';

const SAVE = ['create', 'update'] as const;

/**
 * A lead's routing, on every entry point (form, e-mail, API, import): a new lead without an
 * owner — or any lead saved with "Assign using rules" — gets the owner (or queue) the assignment
 * rules choose, in the same write.
 */
async function routeLead({ ctx, data, merged, operation }: BeforeSaveArgs): Promise<void> {
  const wanted = operation === 'create' ? isBlank(merged.owner) || merged.assign_by_rules === true : data.assign_by_rules === true;
  if (merged.assign_by_rules === true) data.assign_by_rules = false;
  if (!wanted) return;
  const assignment = await assignByRules(ctx, merged);
  if (!assignment) return;
  data.owner = assignment.owner;
  data.lead_queue = assignment.queue;
}

/** The capture moment, the assignment, and the owner told at once (unless they gave it to themselves). */
async function leadSaved({ ctx, record, operation, changes }: AfterSaveArgs): Promise<void> {
  const owner = isBlank(record.owner) ? null : String(record.owner);
  if (operation === 'create') await recordCapture(ctx, record);
  else if ('owner' in changes) await recordAssignment(ctx, record.id, owner);
  const assigned = operation === 'create' ? owner !== null : 'owner' in changes && owner !== null;
  if (assigned && owner !== ctx.actor.userId) await notifyAssignedOwner(ctx, record, `${owner}:${Date.now()}`);
  if (operation === 'update' && changes.status?.new === 'contacted') await recordContact(ctx, record.id, 'status', new Date());
}

/** A call, an outbound e-mail or a held meeting logged against a lead is its first contact (if none came before). */
function contactLogged(kind: 'call' | 'email' | 'meeting') {
  return async ({ ctx, record, operation, changes }: AfterSaveArgs): Promise<void> => {
    if (isBlank(record.lead)) return;
    if (kind === 'email' && record.direction === 'inbound') return;
    if (kind === 'meeting' && record.status !== 'held') return;
    if (operation === 'update' && !('lead' in changes) && !('status' in changes)) return;
    const at = String(record.start_at ?? record.sent_at ?? '') || new Date().toISOString();
    await recordContact(ctx, String(record.lead), kind, new Date(at));
  };
}

function saveRule({ ctx, merged }: BeforeSaveArgs): void {
  const text = typeof merged.condition === 'string' ? merged.condition.trim() : '';
  if (text) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      refuse('condition', 'invalid', 'The condition is JSON in the condition language, e.g. {"field":"address_country","op":"eq","value":"US"}');
    }
    parseCondition({ input: json, object: 'lead', registry: ctx.platform.registry, source: 'condition' });
  }
  if (merged.target === 'user' && isBlank(merged.user)) refuse('user', 'required', 'Choose the user who gets the leads');
  if (merged.target === 'queue' && isBlank(merged.queue)) refuse('queue', 'required', 'Name the queue');
  if (merged.target === 'round_robin' && isBlank(merged.assignment_group)) refuse('assignment_group', 'required', 'Choose the group whose reps take turns');
}

function saveTerritory({ merged }: BeforeSaveArgs): void {
  if (isBlank(merged.user) && isBlank(merged.assignment_group)) refuse('user', 'required', 'A territory goes to a user or a group');
}

function saveAbsence({ merged }: BeforeSaveArgs): void {
  if (typeof merged.starts_on === 'string' && typeof merged.ends_on === 'string' && merged.ends_on < merged.starts_on) refuse('ends_on', 'invalid', 'The absence ends on or after its first day');
}

export function registerLeadCaptureHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'leadcapture.route', object: 'lead', operations: [...SAVE], run: routeLead });
  hooks.register('afterSave', { name: 'leadcapture.leadSaved', object: 'lead', operations: [...SAVE], run: leadSaved });
  hooks.register('afterSave', { name: 'leadcapture.call', object: 'call', operations: [...SAVE], run: contactLogged('call') });
  hooks.register('afterSave', { name: 'leadcapture.email', object: 'email_log', operations: [...SAVE], run: contactLogged('email') });
  hooks.register('afterSave', { name: 'leadcapture.meeting', object: 'meeting', operations: [...SAVE], run: contactLogged('meeting') });
  hooks.register('beforeSave', { name: 'leadcapture.form', object: 'web_form', operations: [...SAVE], run: saveWebForm });
  hooks.register('beforeSave', { name: 'leadcapture.rule', object: 'assignment_rule', operations: [...SAVE], run: saveRule });
  hooks.register('beforeSave', { name: 'leadcapture.territory', object: 'territory', operations: [...SAVE], run: saveTerritory });
  hooks.register('beforeSave', { name: 'leadcapture.absence', object: 'out_of_office', operations: [...SAVE], run: saveAbsence });
}
