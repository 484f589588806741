import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { coerceValue } from '../../../platform/records/values.ts';
import { isBlank } from '../context.ts';

/**
 * Which lead field fills which field of the records a conversion creates. Custom lead fields
 * map by API name to a custom field of the same name and type on the target (mapLeadFields).
 * Only new records are filled; a reused account or contact is left as it is.
 */
export const LEAD_FIELD_MAP: Record<'account' | 'contact' | 'opportunity', Record<string, string>> = {
  account: {
    company: 'name',
    website: 'website',
    phone: 'phone',
    industry: 'industry',
    employees: 'employees',
    annual_revenue: 'annual_revenue',
    address_street: 'billing_street',
    address_city: 'billing_city',
    address_state: 'billing_state',
    address_postal_code: 'billing_postal_code',
    address_country: 'billing_country',
  },
  contact: {
    first_name: 'first_name',
    last_name: 'last_name',
    title: 'title',
    email: 'email',
    phone: 'phone',
    source: 'lead_source',
    description: 'description',
    address_street: 'mailing_street',
    address_city: 'mailing_city',
    address_state: 'mailing_state',
    address_postal_code: 'mailing_postal_code',
    address_country: 'mailing_country',
  },
  opportunity: {
    source: 'lead_source',
  },
};

/** The input for a new `target` record from a lead: the map above plus same-named custom fields. */
/**
 * Fields other modules add to leads and to contacts, accounts or opportunities (fieldsFor) that a
 * conversion carries over by name, like custom fields: a module's fields are "standard" (defined in
 * code), so they are not carried unless the module asks — privacy's consent must follow the person.
 */
const carriedModuleFields = new Set<string>();
export function carryOnLeadConversion(fields: readonly string[]): void {
  for (const f of fields) carriedModuleFields.add(f);
}

export function mapLeadFields(args: { lead: Record<string, unknown>; leadObject: ObjectDefinition; target: ObjectDefinition; kind: keyof typeof LEAD_FIELD_MAP }): Record<string, unknown> {
  const { lead, leadObject, target } = args;
  const out: Record<string, unknown> = {};
  const put = (from: string, to: string) => {
    const f = target.fields.find((x) => x.apiName === to);
    const value = lead[from];
    if (!f || f.readOnly || isBlank(value)) return;
    // A value the target cannot take (e.g. a picklist value it lacks) is left out, not an error.
    if (coerceValue(f, value).ok) out[to] = value;
  };
  for (const [from, to] of Object.entries(LEAD_FIELD_MAP[args.kind])) put(from, to);
  for (const f of leadObject.fields) {
    const carried = carriedModuleFields.has(f.apiName);
    if (f.standard && !carried) continue;
    const same = target.fields.find((x) => x.apiName === f.apiName && (!x.standard || carried) && x.type === f.type);
    if (same) put(f.apiName, f.apiName);
  }
  return out;
}
