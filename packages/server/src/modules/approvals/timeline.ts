import { asSystem, type TxContext } from '../../platform/records/context.ts';
import { createRecord } from '../../platform/records/write.ts';

/**
 * The approval's history on the record's timeline (issue 14 item 6): each submit, answer,
 * approval and recall as a note filed against the record through an activity link — written
 * through the record pipeline like any note, by the person who acted. Nothing when the
 * activities module is not installed; the approval history (queries.ts) stays the full record.
 */
export async function noteOnTimeline(ctx: TxContext, target: { object: string; recordId: string }, title: string, body?: string | null): Promise<void> {
  const { registry } = ctx.platform;
  const note = registry.getObject('note');
  const link = registry.getObject('activity_link');
  if (!note || !link) return;
  const system = asSystem(ctx);
  const created = await createRecord({ ctx: system, object: note, input: { title: title.slice(0, 250), body: body?.trim() || null } });
  await createRecord({ ctx: system, object: link, input: { activity_object: 'note', activity_id: created.id, record_object: target.object, record_id: target.recordId } });
}
