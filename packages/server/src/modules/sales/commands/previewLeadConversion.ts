import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { objectOf, today } from '../context.ts';
import { autoAccount, autoContact, findConversionMatches, type AccountMatch, type ContactMatch } from '../queries/conversionMatches.ts';
import { mapLeadFields } from './leadMapping.ts';

export interface ConversionPreview {
  lead: { id: string; name: string; company: string | null; email: string | null; status: string; converted: boolean };
  /** Existing accounts, best first; `reuse` marks the one conversion picks unless told otherwise. */
  accounts: Array<AccountMatch & { reuse: boolean }>;
  contacts: Array<ContactMatch & { reuse: boolean }>;
  /** What would be created when nothing is reused (the values mapped from the lead). */
  newAccount: Record<string, unknown>;
  newContact: Record<string, unknown>;
  newOpportunity: Record<string, unknown>;
}

/** What converting a lead would do (for the web app's convert dialog); writes nothing. */
export async function previewLeadConversion(args: { ctx: RecordContext; leadId: string }): Promise<ConversionPreview> {
  return inTransaction(args.ctx, async (ctx) => {
    const leadObject = objectOf(ctx, 'lead');
    const lead = await getRecord({ ctx, object: leadObject, id: args.leadId });
    const matches = await findConversionMatches(ctx, lead);
    const account = autoAccount(matches);
    const contact = autoContact(matches, account?.id);
    const newAccount = mapLeadFields({ lead, leadObject, target: objectOf(ctx, 'account'), kind: 'account' });
    newAccount.name ??= lead.full_name;
    return {
      lead: { id: lead.id, name: String(lead.full_name), company: (lead.company as string) ?? null, email: (lead.email as string) ?? null, status: String(lead.status), converted: lead.status === 'converted' },
      accounts: matches.accounts.map((a) => ({ ...a, reuse: a.id === account?.id })),
      contacts: matches.contacts.map((c) => ({ ...c, reuse: c.id === contact?.id })),
      newAccount,
      newContact: mapLeadFields({ lead, leadObject, target: objectOf(ctx, 'contact'), kind: 'contact' }),
      newOpportunity: {
        name: `${String(lead.company || lead.full_name)} – new deal`,
        close_date: today(ctx, 90),
        ...mapLeadFields({ lead, leadObject, target: objectOf(ctx, 'opportunity'), kind: 'opportunity' }),
      },
    };
  });
}
