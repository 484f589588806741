import type { FieldDef, ObjectDef } from '../api/types';
import { isSystemField } from '../api/metadata';

export interface Section {
  title: string;
  fields: FieldDef[];
}

const PREFIX_TITLES: Record<string, string> = { billing: 'Billing address', shipping: 'Shipping address', mailing: 'Mailing address', address: 'Address' };

/**
 * Groups an object's fields into sections for forms and record pages: the main details,
 * address blocks (fields sharing a prefix like billing_), long texts, then system information.
 */
export function sectionsOf(o: ObjectDef, options: { includeSystem?: boolean } = {}): Section[] {
  const details: FieldDef[] = [];
  const long: FieldDef[] = [];
  const system: FieldDef[] = [];
  const groups = new Map<string, FieldDef[]>();
  for (const f of o.fields) {
    if (f.type === 'id') continue;
    if (isSystemField(f)) {
      system.push(f);
      continue;
    }
    const prefix = f.apiName.split('_')[0]!;
    if (PREFIX_TITLES[prefix] && f.apiName.includes('_')) {
      groups.set(prefix, [...(groups.get(prefix) ?? []), f]);
      continue;
    }
    if (f.type === 'long_text') long.push(f);
    else details.push(f);
  }
  const sections: Section[] = [{ title: 'Details', fields: details }];
  for (const [prefix, fields] of groups) sections.push({ title: PREFIX_TITLES[prefix]!, fields });
  if (long.length) sections.push({ title: 'Description', fields: long });
  if (options.includeSystem) sections.push({ title: 'System information', fields: system });
  else {
    const owner = system.find((f) => f.apiName === 'owner');
    if (owner) details.push(owner);
  }
  return sections.filter((s) => s.fields.length > 0);
}
