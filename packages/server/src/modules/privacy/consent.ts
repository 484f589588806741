import { field } from '../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../platform/metadata/types.ts';

export const CONSENT_STATES = ['unknown', 'granted', 'refused', 'withdrawn'] as const;
export const CONSENT_METHODS = ['web_form', 'email', 'phone', 'in_person', 'contract', 'import'] as const;
export const CHANNELS = ['email', 'phone', 'post', 'none'] as const;

/**
 * Consent and communication preferences on contacts and leads (GDPR art. 7: what was agreed,
 * when and how). Fields rather than a child object: one current state per person is what
 * sending and reporting read; the field history (PLT-5) keeps every earlier state with who set
 * it and when, which is the record of consent a regulator asks for.
 */
export const consentFields: FieldDefinition[] = [
  field('marketing_consent', 'Marketing consent', 'picklist', { values: [...CONSENT_STATES], defaultValue: 'unknown', helpText: 'Whether the person agreed to marketing messages' }),
  field('consent_given_at', 'Consent given or withdrawn at', 'datetime', { helpText: 'When the person gave, refused or withdrew consent' }),
  field('consent_method', 'Consent given by', 'picklist', { values: [...CONSENT_METHODS], helpText: 'How consent was given: web form, e-mail, phone, in person, contract, import' }),
  field('consent_note', 'Consent wording', 'text', { helpText: 'The wording agreed to, or where it is kept (form version, recording id)' }),
  field('preferred_channel', 'Preferred channel', 'picklist', { values: [...CHANNELS], helpText: 'How the person wants to be contacted (none = not at all)' }),
];
