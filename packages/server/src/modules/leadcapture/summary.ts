import { countRecords } from '../../platform/records/read.ts';
import type { RecordContext } from '../../platform/records/context.ts';
import { readRecord } from '../billing/index.ts';
import { blockedCounts } from './spam.ts';
import { snippetsFor } from './page.ts';

/** A form's links and snippets, what it received and what it blocked (the form's own access applies: a form the caller cannot see is a 404). */
export async function formSummary(args: { ctx: RecordContext; id: string }) {
  const { ctx } = args;
  const form = await readRecord(ctx, 'web_form', args.id, ['public_id']);
  const submissions = ctx.platform.registry.requireObject('form_submission');
  const count = async (outcome: string) => (await countRecords({ ctx, object: submissions, filter: { and: [{ field: 'web_form', op: 'eq', value: form.id }, { field: 'outcome', op: 'eq', value: outcome }] } })).count;
  return {
    ...snippetsFor(ctx.platform.config.publicUrl, String(form.public_id)),
    submissions: { created: await count('created'), attached: await count('attached') },
    blocked: await blockedCounts(ctx.platform.db, form.id),
  };
}
