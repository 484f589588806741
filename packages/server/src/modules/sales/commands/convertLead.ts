import { sql } from 'kysely';
import { AppError, ruleViolation, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord, listRecords } from '../../../platform/records/read.ts';
import { createRecord, loadForUpdate, updateRecord } from '../../../platform/records/write.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { isFieldWritable } from '../../../platform/access/policy.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { objectOf, onBehalf, today } from '../context.ts';
import { autoAccount, autoContact, findConversionMatches } from '../queries/conversionMatches.ts';
import { mapLeadFields } from './leadMapping.ts';

export interface ConvertLeadInput {
  accountId?: string;
  contactId?: string;
  createOpportunity?: boolean;
  opportunity?: Record<string, unknown>;
  /** Create the account/contact even if a duplicate rule objects (the user saw the candidates). */
  allowDuplicate?: boolean;
}

export interface ConvertLeadResult {
  lead: ApiRecord;
  account: { id: string; name: string; created: boolean };
  contact: { id: string; name: string; created: boolean };
  opportunity: { id: string; name: string } | null;
  moved: Record<string, number>;
}

/** Objects whose records follow a lead to its contact/account/opportunity on conversion. */
export const MOVED_ON_CONVERSION = ['task', 'note'];

export function parseConvertInput(body: unknown): ConvertLeadInput {
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || Array.isArray(input)) throw validationFailed([{ field: '', code: 'type', message: 'Send a JSON object' }]);
  const errors: FieldError[] = [];
  for (const k of ['accountId', 'contactId']) {
    if (input[k] !== undefined && input[k] !== null && (typeof input[k] !== 'string' || !UUID_RE.test(input[k] as string))) errors.push({ field: k, code: 'invalid_reference', message: 'Must be a record id' });
  }
  for (const k of ['createOpportunity', 'allowDuplicate']) {
    if (input[k] !== undefined && typeof input[k] !== 'boolean') errors.push({ field: k, code: 'type', message: 'Must be true or false' });
  }
  if (input.opportunity !== undefined && (typeof input.opportunity !== 'object' || input.opportunity === null || Array.isArray(input.opportunity))) {
    errors.push({ field: 'opportunity', code: 'type', message: 'Must be an object of opportunity fields' });
  }
  if (errors.length) throw validationFailed(errors);
  return {
    accountId: (input.accountId as string | undefined) ?? undefined,
    contactId: (input.contactId as string | undefined) ?? undefined,
    createOpportunity: (input.createOpportunity as boolean | undefined) ?? input.opportunity !== undefined,
    opportunity: input.opportunity as Record<string, unknown> | undefined,
    allowDuplicate: input.allowDuplicate === true,
  };
}

/**
 * Converts a lead (SAL-5) in ONE transaction: reuse or create the account, reuse or create the
 * contact, optionally create the opportunity, move the lead's tasks and notes, mark the lead
 * converted. Any failure (an invalid opportunity, a duplicate) leaves nothing behind.
 */
export async function convertLead(args: { ctx: RecordContext; leadId: string; input: ConvertLeadInput }): Promise<ConvertLeadResult> {
  const { input } = args;
  return inTransaction(args.ctx, async (ctx) => {
    const leadObject = objectOf(ctx, 'lead');
    const lead = await loadForUpdate(ctx, leadObject, args.leadId);
    if (lead.status === 'converted') throw new AppError('conflict', 'This lead is already converted', { extra: { account: lead.converted_account, contact: lead.converted_contact, opportunity: lead.converted_opportunity } });
    if (lead.status === 'disqualified') throw ruleViolation([{ field: 'status', code: 'disqualified', message: 'A disqualified lead cannot be converted; change its status first' }]);
    const matches = await findConversionMatches(ctx, lead);
    const options = { allowDuplicate: input.allowDuplicate };
    const accountObject = objectOf(ctx, 'account');
    const contactObject = objectOf(ctx, 'contact');

    let account: ApiRecord;
    let accountCreated = false;
    const reuseAccount = input.accountId ?? autoAccount(matches)?.id;
    if (reuseAccount) account = await getRecord({ ctx, object: accountObject, id: reuseAccount }).catch(notFoundAs('accountId'));
    else {
      const values = mapLeadFields({ lead, leadObject, target: accountObject, kind: 'account' });
      values.name ??= lead.full_name; // an individual becomes an account of their own
      const c = carried(ctx, accountObject, values);
      account = await createRecord({ ctx, object: accountObject, input: c.input, options: { ...options, ...c.options, pathPrefix: 'account.' } });
      accountCreated = true;
    }

    let contact: ApiRecord;
    let contactCreated = false;
    const reuseContact = input.contactId ?? autoContact(matches, account.id)?.id;
    if (reuseContact) {
      contact = await getRecord({ ctx, object: contactObject, id: reuseContact }).catch(notFoundAs('contactId'));
      contact = await linkContactToAccount(ctx, contact, account.id);
    } else {
      const values = { ...mapLeadFields({ lead, leadObject, target: contactObject, kind: 'contact' }), account: account.id };
      const c = carried(ctx, contactObject, values);
      contact = await createRecord({ ctx, object: contactObject, input: c.input, options: { ...options, ...c.options, pathPrefix: 'contact.' } });
      contactCreated = true;
    }

    let opportunity: ApiRecord | null = null;
    if (input.createOpportunity) {
      const opportunityObject = objectOf(ctx, 'opportunity');
      const mapped = carried(ctx, opportunityObject, mapLeadFields({ lead, leadObject, target: opportunityObject, kind: 'opportunity' }));
      const values = {
        name: `${String(lead.company || lead.full_name)} – new deal`,
        close_date: today(ctx, 90),
        ...mapped.input,
        ...input.opportunity,
        account: account.id,
        lead: lead.id,
      };
      opportunity = await createRecord({ ctx, object: opportunityObject, input: values, options: { pathPrefix: 'opportunity.', ...(mapped.options ?? {}) } });
    }

    const moved = await moveLeadActivities(ctx, lead.id, { account: account.id, contact: contact.id, opportunity: opportunity?.id ?? null });
    const converted = await updateRecord({
      ctx,
      object: leadObject,
      id: lead.id,
      input: {},
      options: { systemValues: { status: 'converted', converted_at: new Date().toISOString(), converted_account: account.id, converted_contact: contact.id, converted_opportunity: opportunity?.id ?? null } },
    });
    return {
      lead: converted,
      account: { id: account.id, name: String(account.name), created: accountCreated },
      contact: { id: contact.id, name: String(contact.full_name), created: contactCreated },
      opportunity: opportunity ? { id: opportunity.id, name: String(opportunity.name) } : null,
      moved,
    };
  });
}

function notFoundAs(field: string) {
  return (error: unknown): never => {
    if (error instanceof AppError && error.code === 'not_found') throw validationFailed([{ field, code: 'invalid_reference', message: error.message }]);
    throw error;
  };
}

/** A reused contact without an account joins this one; one on another account gets a contact role here. */
async function linkContactToAccount(ctx: TxContext, contact: ApiRecord, accountId: string): Promise<ApiRecord> {
  if (!contact.account) return updateRecord({ ctx: onBehalf(ctx), object: objectOf(ctx, 'contact'), id: contact.id, input: { account: accountId }, options: { allowDuplicate: true } });
  if (contact.account === accountId) return contact;
  const roleObject = objectOf(ctx, 'account_contact_role');
  const exists = await sql<{ id: string }>`SELECT id FROM ${sql.table(roleObject.table)} WHERE account_id = ${accountId} AND contact_id = ${contact.id} AND deleted_at IS NULL LIMIT 1`.execute(ctx.trx);
  if (!exists.rows.length) await createRecord({ ctx: onBehalf(ctx), object: roleObject, input: { account: accountId, contact: contact.id, role: 'other' } });
  return contact;
}

/** Re-homes the lead's tasks and notes onto the new records (through the record service, so with history). */
async function moveLeadActivities(ctx: TxContext, leadId: string, to: { account: string; contact: string; opportunity: string | null }): Promise<Record<string, number>> {
  const moved: Record<string, number> = {};
  for (const name of MOVED_ON_CONVERSION) {
    const object = ctx.platform.registry.getObject(name);
    const leadField = object?.fields.find((f) => f.apiName === 'lead' && f.lookup?.object === 'lead');
    if (!object || !leadField) continue;
    // Read through the record service (tasks and notes are the activities module's tables). Each
    // moved row no longer matches the filter, so the first page is always the next one.
    const links = Object.keys(to).filter((field) => object.fields.some((x) => x.apiName === field && x.lookup));
    let count = 0;
    for (;;) {
      const { data } = await listRecords({ ctx: onBehalf(ctx), object, filter: { field: 'lead', op: 'eq', value: leadId }, sort: 'id', fields: ['id', ...links], limit: 200 });
      for (const row of data) {
        const input: Record<string, unknown> = { lead: null };
        for (const field of links) {
          const id = to[field as keyof typeof to];
          // Only fill links that are empty: a task already about another opportunity keeps it.
          if (id && (row[field] === null || row[field] === undefined)) input[field] = id;
        }
        await updateRecord({ ctx: onBehalf(ctx), object, id: row.id, input });
      }
      count += data.length;
      if (data.length < 200) break;
    }
    moved[name] = count;
  }
  return moved;
}

/**
 * The lead's values carried to a new record. Those in fields the user may not write (hidden or
 * read-only for their profile) are carried by the conversion itself (systemValues), so a user who
 * cannot see a lead's annual revenue can still convert it, and the account gets it (issue 18, 9).
 */
function carried(ctx: TxContext, object: ObjectDefinition, values: Record<string, unknown>): { input: Record<string, unknown>; options?: { systemValues: Record<string, unknown> } } {
  const input: Record<string, unknown> = {};
  const systemValues: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const f = object.fields.find((x) => x.apiName === k);
    if (f && !isFieldWritable(ctx.actor, object, f)) systemValues[k] = v;
    else input[k] = v;
  }
  return Object.keys(systemValues).length ? { input, options: { systemValues } } : { input };
}
