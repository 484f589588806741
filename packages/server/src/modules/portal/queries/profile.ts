import type { Platform } from '../../../platform/kernel.ts';
import { inTransaction } from '../../../platform/records/context.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { prefixErrors } from '../../billing/index.ts';
import { writeAudit } from '../../../platform/events/audit.ts';
import { logPortalAccess } from '../log.ts';
import { portalContext, scopedGet, type PortalScope } from '../scope.ts';
import type { RequestMeta } from '../signin.ts';
import { text } from './common.ts';

/**
 * The contact's own details and their account's billing contact details (the address invoices
 * are made out to and the e-mail they go to). Changes go through the record pipeline — the
 * contact's and the account's validation rules and hooks apply — and are recorded in field
 * history "via portal", in the audit log and the portal access log naming the contact.
 */
export const CONTACT_FIELDS = { firstName: 'first_name', lastName: 'last_name', title: 'title', phone: 'phone', mobile: 'mobile' } as const;
export const BILLING_FIELDS = { email: 'email', street: 'billing_street', city: 'billing_city', state: 'billing_state', postalCode: 'billing_postal_code', country: 'billing_country' } as const;

type ContactPart = { [K in keyof typeof CONTACT_FIELDS]: string | null } & { email: string | null };
type BillingPart = { [K in keyof typeof BILLING_FIELDS]: string | null } & { accountName: string };
export interface PortalProfile {
  contact: ContactPart;
  billing: BillingPart;
}

export async function readProfile(platform: Platform, scope: PortalScope): Promise<PortalProfile> {
  const c = await scopedGet(platform, scope, { object: 'contact', id: scope.contactId, fields: [...Object.values(CONTACT_FIELDS), 'email', 'account'], what: 'Contact' });
  const a = await scopedGet(platform, scope, { object: 'account', path: 'id', id: scope.accountId, fields: ['name', ...Object.values(BILLING_FIELDS)], what: 'Account' });
  const pick = <M extends Record<string, string>>(map: M, r: Record<string, unknown>) => Object.fromEntries(Object.entries(map).map(([k, f]) => [k, text(r[f])])) as { [K in keyof M]: string | null };
  return { contact: { ...pick(CONTACT_FIELDS, c), email: text(c.email) }, billing: { ...pick(BILLING_FIELDS, a), accountName: String(a.name ?? '') } };
}

export interface ProfileChange {
  contact?: Partial<Record<keyof typeof CONTACT_FIELDS, string | null>>;
  billing?: Partial<Record<keyof typeof BILLING_FIELDS, string | null>>;
}

const toInput = <M extends Record<string, string>>(map: M, values: Partial<Record<keyof M, string | null>> | undefined) =>
  Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [map[k as keyof M], typeof v === 'string' && v.trim() === '' ? null : typeof v === 'string' ? v.trim() : v]));

/** One transaction: the contact, the account, the audit entry and the access-log entry commit together. */
export async function updateProfile(platform: Platform, scope: PortalScope, change: ProfileChange, meta: RequestMeta & { contactName: string }): Promise<PortalProfile> {
  await inTransaction(portalContext(platform), async (ctx) => {
    const changed: string[] = [];
    const contactInput = toInput(CONTACT_FIELDS, change.contact);
    if (Object.keys(contactInput).length) {
      await updateRecord({ ctx, object: platform.registry.requireObject('contact'), id: scope.contactId, input: contactInput }).catch((e: unknown) => {
        throw prefixErrors(e, 'contact.');
      });
      changed.push(...Object.keys(contactInput).map((f) => `contact.${f}`));
    }
    const billingInput = toInput(BILLING_FIELDS, change.billing);
    if (Object.keys(billingInput).length) {
      await updateRecord({ ctx, object: platform.registry.requireObject('account'), id: scope.accountId, input: billingInput }).catch((e: unknown) => {
        throw prefixErrors(e, 'billing.');
      });
      changed.push(...Object.keys(billingInput).map((f) => `account.${f}`));
    }
    if (!changed.length) return;
    await writeAudit(ctx.trx, {
      action: 'portal.profile_updated', actor: { userId: null, via: 'portal' }, actorLabel: `portal contact ${meta.contactName}`, ip: meta.ip, userAgent: meta.userAgent ?? null,
      target: { type: 'contact', id: scope.contactId }, details: { contactId: scope.contactId, accountId: scope.accountId, fields: changed },
    });
    await logPortalAccess(ctx.trx, scope.contactId, { action: 'profile_updated', detail: changed.join(', '), ip: meta.ip, userAgent: meta.userAgent ?? null });
  });
  return readProfile(platform, scope);
}
