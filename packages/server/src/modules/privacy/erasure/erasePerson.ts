import type { RecordContext } from '../../../platform/records/context.ts';
import { asSystem, inTransaction } from '../../../platform/records/context.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { eraseStoredValues } from '../../../platform/records/erase.ts';
import { hasCapability } from '../../../platform/access/policy.ts';
import { writeAudit } from '../../../platform/events/audit.ts';
import { badRequest, forbidden } from '../../../platform/errors.ts';
import { NAME_FIELDS, personalFields } from './personalFields.ts';
import { retainedDocuments, type RetainedDocument } from './retainedDocuments.ts';

export const ERASE_CAPABILITY = 'privacy.erase';
export const PERSON_OBJECTS = ['contact', 'lead'] as const;
const ERASED_NAME = 'Erased';

export interface ErasureResult {
  object: string;
  id: string;
  erased: string[];
  kept: Array<{ fields: string[]; reason: string; documents: RetainedDocument[] }>;
  history: number;
  events: number;
}

/**
 * A person's right to erasure (GDPR art. 17): in one transaction the contact or lead is
 * anonymised through the record pipeline, the erased fields' values are removed from its field
 * history and stored events, and the audit log records who erased whom and what was kept. A
 * person named on a document the law makes us keep (a posted invoice) keeps the name, and the
 * answer says which documents and why.
 */
export async function erasePerson(args: { ctx: RecordContext; object: string; id: string }): Promise<ErasureResult> {
  const { ctx } = args;
  if (!hasCapability(ctx.actor, ERASE_CAPABILITY)) throw forbidden('Erasing a person needs the privacy.erase capability (administrators)');
  if (!(PERSON_OBJECTS as readonly string[]).includes(args.object)) {
    throw badRequest('Only contacts and leads can be erased', [{ field: 'object', code: 'invalid', message: `One of ${PERSON_OBJECTS.join(', ')}` }]);
  }
  const object = ctx.platform.registry.requireObject(args.object);
  return inTransaction(ctx, async (tx) => {
    await getRecord({ ctx: tx, object, id: args.id });
    const documents = await retainedDocuments(tx, object.apiName, args.id);
    const keepNames = documents.length > 0;
    const fields = personalFields(object).filter((f) => !(keepNames && NAME_FIELDS.includes(f.apiName)));
    const input: Record<string, unknown> = {};
    for (const f of fields) input[f.apiName] = f.apiName === 'last_name' ? ERASED_NAME : null;
    // As the system: erasure goes past validation rules' and hooks' field rights the admin has anyway.
    await updateRecord({ ctx: asSystem(tx), object, id: args.id, input });
    const erased = fields.map((f) => f.apiName);
    const scrubbed = await eraseStoredValues({ ctx: tx, object: object.apiName, recordId: args.id, fields: [...erased, 'full_name'] });
    const kept = keepNames ? [{ fields: NAME_FIELDS, reason: `Named on ${documents.length} document(s) that must be kept: ${documents.map((d) => `${d.object} ${d.name}`).join(', ')}`, documents }] : [];
    await writeAudit(tx.trx, {
      action: 'privacy.erased',
      actor: ctx.actor,
      target: { type: object.apiName, id: args.id },
      details: { erased, kept: kept.map((k) => ({ fields: k.fields, reason: k.reason })), history: scrubbed.history, events: scrubbed.events },
    });
    return { object: object.apiName, id: args.id, erased, kept, ...scrubbed };
  });
}
