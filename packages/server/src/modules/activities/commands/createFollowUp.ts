import { badRequest, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { objectOf } from '../context.ts';
import { REGARDING } from '../objects.ts';
import { linkActivity } from '../rules/links.ts';

export interface FollowUpInput {
  description: string;
  dueDate: string | null;
  assignee?: string;
  subject?: string;
  priority?: string;
}

export function parseFollowUpInput(body: unknown): FollowUpInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a JSON object');
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const known = ['description', 'dueDate', 'assignee', 'subject', 'priority'];
  for (const k of Object.keys(b)) if (!known.includes(k)) errors.push({ field: k.slice(0, 64), code: 'unknown_field', message: `Expected one of ${known.join(', ')}` });
  if (typeof b.description !== 'string' || !b.description.trim()) errors.push({ field: 'description', code: 'required', message: 'Say what to follow up on' });
  if (b.dueDate !== undefined && b.dueDate !== null && (typeof b.dueDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.dueDate))) {
    errors.push({ field: 'dueDate', code: 'type', message: 'A date, YYYY-MM-DD' });
  }
  if (b.assignee !== undefined && (typeof b.assignee !== 'string' || !UUID_RE.test(b.assignee))) errors.push({ field: 'assignee', code: 'type', message: 'A user ID' });
  if (b.subject !== undefined && typeof b.subject !== 'string') errors.push({ field: 'subject', code: 'type', message: 'Text' });
  if (b.priority !== undefined && typeof b.priority !== 'string') errors.push({ field: 'priority', code: 'type', message: 'low, normal or high' });
  if (errors.length) throw validationFailed(errors);
  return {
    description: (b.description as string).trim(),
    dueDate: (b.dueDate as string | undefined) ?? null,
    ...(b.assignee ? { assignee: b.assignee as string } : {}),
    ...(b.subject ? { subject: b.subject as string } : {}),
    ...(b.priority ? { priority: b.priority as string } : {}),
  };
}

/**
 * Seed 004 "Follow-up": a task for yourself or another user, linked to the record it is about.
 * The record must be readable; the task goes through the record service (its hooks, history and
 * events), then the link makes it appear on that record's timeline whatever the object.
 */
export async function createFollowUp(args: { ctx: RecordContext; object: string; id: string; input: FollowUpInput }): Promise<ApiRecord> {
  const object = args.ctx.platform.registry.requireObject(args.object);
  return inTransaction(args.ctx, async (ctx) => {
    const record = await getRecord({ ctx, object, id: args.id, fields: ['id'] });
    const firstLine = args.input.description.split('\n')[0]!.trim();
    const input: Record<string, unknown> = {
      subject: (args.input.subject ?? `Follow up: ${firstLine}`).slice(0, 1000),
      description: args.input.description,
      due_date: args.input.dueDate,
      ...(args.input.assignee ? { owner: args.input.assignee } : {}),
      ...(args.input.priority ? { priority: args.input.priority } : {}),
    };
    // Typed lookup when the record is one of them, so task list views filter on it too.
    if ((REGARDING as readonly string[]).includes(object.apiName)) input[object.apiName] = record.id;
    const task = await createRecord({ ctx, object: objectOf(ctx, 'task'), input });
    await linkActivity(ctx, { object: 'task', id: task.id, owner: (task.owner as string | null) ?? null }, [{ object: object.apiName, id: record.id }]);
    return task;
  });
}
