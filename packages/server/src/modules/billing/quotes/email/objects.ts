import { defineObject, field } from '../../../../platform/metadata/define.ts';

export const EMAIL_PURPOSES = ['quote'] as const;

/**
 * E-mail templates in Liquid (template.ts): a subject and a plain-text body with merge fields;
 * the HTML part is made from the body, so the two parts always say the same. The automation
 * module will add purposes; today quotes use them.
 */
export const emailTemplate = defineObject({
  apiName: 'email_template',
  label: 'E-mail template',
  pluralLabel: 'E-mail templates',
  nameField: 'name',
  navOrder: 67,
  description: 'Subject and body of e-mails Meridian sends for you, with merge fields such as {{ contact.first_name }} and {{ quote.total }}.',
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true }),
    field('purpose', 'Used for', 'picklist', { values: [...EMAIL_PURPOSES], required: true, defaultValue: 'quote' }),
    field('subject', 'Subject', 'text', { required: true, helpText: 'Liquid, e.g. Quote {{ quote.number }} from {{ sender.full_name }}' }),
    field('body', 'Body', 'long_text', { required: true, helpText: 'Plain text with Liquid merge fields; {{ link }} is the online quote.' }),
    field('is_default', 'Default', 'boolean', { defaultValue: false, helpText: 'Offered first when sending.' }),
    field('active', 'Active', 'boolean', { defaultValue: true }),
  ],
});
