import type { Actor } from '../../../platform/records/context.ts';
import type { FieldDefinition, ObjectDefinition } from '../../../platform/metadata/types.ts';
import { isFieldWritable } from '../../../platform/access/policy.ts';

/** Common column titles of other systems' exports, by the field names they usually mean (normalised: letters and digits only). */
const SYNONYMS: Record<string, string[]> = {
  email: ['emailaddress', 'email1', 'mail', 'primaryemail', 'workemail', 'emailadresse'],
  account: ['company', 'companyname', 'organization', 'organisation', 'accountname', 'employer'],
  name: ['companyname', 'accountname', 'organization', 'organisation', 'fullname'],
  company: ['companyname', 'organization', 'organisation', 'account', 'accountname', 'employer'],
  mobile: ['mobilephone', 'mobilenumber', 'cell', 'cellphone', 'cellular', 'handy'],
  phone: ['phonenumber', 'telephone', 'tel', 'workphone', 'businessphone', 'officephone'],
  first_name: ['firstname', 'givenname', 'forename', 'first', 'vorname'],
  last_name: ['lastname', 'surname', 'familyname', 'last', 'nachname'],
  title: ['jobtitle', 'position', 'role'],
  website: ['web', 'url', 'homepage', 'site', 'webaddress'],
  description: ['notes', 'note', 'comments', 'comment'],
  birthdate: ['birthday', 'dateofbirth', 'dob'],
  account_number: ['accountno', 'customernumber', 'customerid', 'customerno'],
  lead_source: ['source', 'leadsource'],
  source: ['leadsource'],
  annual_revenue: ['revenue', 'annualrevenue'],
  employees: ['numberofemployees', 'employeecount', 'headcount'],
};

export const normaliseHeader = (text: string) => text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');

/** Fields a column may be mapped to: those the user may write, but computed ones. */
export function importableFields(actor: Actor, object: ObjectDefinition): FieldDefinition[] {
  return object.fields.filter((f) => !f.readOnly && !f.formula && !f.rollup && !f.generated && f.type !== 'autonumber' && f.apiName !== 'id' && isFieldWritable(actor, object, f));
}

/**
 * A field for each column: the saved mapping of this object first (same header text), then an
 * exact label or API name, then a synonym ("E-mail Address" → email, "Company" → account).
 * A field is suggested for one column only.
 */
export function suggestMapping(args: { headers: string[]; fields: FieldDefinition[]; saved?: Array<{ header: string; field: string | null }> }): Array<string | null> {
  const taken = new Set<string>();
  const byKey = new Map<string, string>();
  for (const f of args.fields) {
    for (const key of [normaliseHeader(f.label), normaliseHeader(f.apiName)]) if (!byKey.has(key)) byKey.set(key, f.apiName);
  }
  const fieldNames = new Set(args.fields.map((f) => f.apiName));
  const saved = new Map((args.saved ?? []).map((s) => [normaliseHeader(s.header), s.field]));
  const pick = (name: string | null | undefined) => (name && fieldNames.has(name) && !taken.has(name) ? name : undefined);
  const result: Array<string | null> = args.headers.map(() => null);
  // Three passes, strongest first, so a weak match never takes a field a strong one wants.
  const passes: Array<(key: string) => string | undefined> = [
    (key) => (saved.has(key) ? pick(saved.get(key)) ?? '' : undefined),
    (key) => pick(byKey.get(key)),
    (key) => pick(Object.entries(SYNONYMS).find(([field, words]) => fieldNames.has(field) && words.includes(key))?.[0]),
  ];
  for (const pass of passes) {
    args.headers.forEach((header, i) => {
      if (result[i] !== null) return;
      const found = pass(normaliseHeader(header));
      if (found === undefined) return;
      // '' = saved as unmapped: the later passes may still suggest a field.
      result[i] = found || null;
      if (found) taken.add(found);
    });
  }
  return result;
}
