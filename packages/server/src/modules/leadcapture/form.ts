import { randomBytes } from 'node:crypto';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import type { BeforeSaveArgs } from '../../platform/records/hooks.ts';
import { ruleViolation } from '../../platform/errors.ts';

export interface FormField {
  name: string;
  label: string;
  type: string;
  required: boolean;
  options?: Array<{ value: string; label: string }>;
}

/** Lead fields a visitor never sets: routing, status, ownership and what Meridian fills in. */
const NOT_ON_FORMS = new Set(['owner', 'status', 'disqualified_reason', 'source', 'campaign', 'rating', 'web_form', 'lead_queue', 'assign_by_rules', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']);
const FORM_TYPES = new Set(['text', 'long_text', 'email', 'phone', 'url', 'number', 'picklist']);
export const UTM_FIELDS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

const refuse = (field: string, message: string): never => {
  throw ruleViolation([{ field, code: 'invalid', message }]);
};

/** The form's field list (`first_name, last_name*, email*`) against the lead's definition; a bad entry is a 422 naming `fields`. */
export function parseFormFields(spec: string, lead: ObjectDefinition): FormField[] {
  const seen = new Set<string>();
  const out: FormField[] = [];
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const required = raw.endsWith('*');
    const name = required ? raw.slice(0, -1).trim() : raw;
    const f = lead.fields.find((x) => x.apiName === name);
    if (!f || f.readOnly || f.generated || NOT_ON_FORMS.has(name) || !FORM_TYPES.has(f.type)) refuse('fields', `'${name}' is not a lead field a form can ask for`);
    if (seen.has(name)) refuse('fields', `'${name}' is listed twice`);
    seen.add(name);
    out.push({
      name, label: f!.label, type: f!.type, required: required || f!.required,
      ...(f!.picklist ? { options: f!.picklist.values.filter((v) => v.active !== false).map((v) => ({ value: v.value, label: v.label })) } : {}),
    });
  }
  if (!seen.has('last_name')) refuse('fields', "A form asks for last_name (every lead has one)");
  return out;
}

/**
 * A form's save: the field list is checked against the lead, the hidden source is one of the
 * lead's sources, the redirect is https (or http on this server), and a new form gets its
 * unguessable public id (144 random bits).
 */
export function saveWebForm({ ctx, data, merged, operation }: BeforeSaveArgs): void {
  const lead = ctx.platform.registry.requireObject('lead');
  if (typeof merged.fields === 'string') parseFormFields(merged.fields, lead);
  const sources = lead.fields.find((f) => f.apiName === 'source')?.picklist?.values.map((v) => v.value) ?? [];
  if (merged.source && !sources.includes(String(merged.source))) refuse('source', `The source is one of: ${sources.join(', ')}`);
  if (merged.redirect_url && !/^https:\/\//i.test(String(merged.redirect_url)) && !String(merged.redirect_url).startsWith(ctx.platform.config.publicUrl)) refuse('redirect_url', 'The redirect is an https address');
  const min = Number(merged.min_seconds ?? 0);
  if (!Number.isInteger(min) || min < 0 || min > 3600) refuse('min_seconds', 'Whole seconds from 0 to 3600');
  if (operation === 'create') data.public_id = randomBytes(18).toString('base64url');
}
