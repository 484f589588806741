import { defineObject, field } from '../../platform/metadata/define.ts';
import type { FieldDefinition } from '../../platform/metadata/types.ts';

/**
 * A link an account's contacts find in the portal (seed 004 "Portal": the customer's PO portal,
 * files portal, invoicing portal …). Staff edit them on the account; the portal lists the links
 * of every account the contact may see, by position.
 */
export const portalLink = defineObject({
  apiName: 'portal_link',
  label: 'Portal link',
  pluralLabel: 'Portal links',
  nameField: 'label',
  navOrder: 95,
  description: "Websites listed in an account's customer portal (PO portal, files portal, invoicing portal …).",
  listColumns: ['account', 'url', 'position'],
  fields: [
    field('label', 'Label', 'text', { required: true, searchable: true, helpText: 'What the customer sees, e.g. "PO portal".' }),
    field('account', 'Account', 'lookup', { lookup: 'account', onDelete: 'cascade', required: true }),
    field('url', 'URL', 'url', { required: true }),
    field('position', 'Position', 'number', { helpText: 'Order in the portal; empty: after the numbered ones.' }),
    field('description', 'Description', 'text'),
  ],
});

/** What the portal adds to sales' account: whether contacts of a parent account also see its child accounts. */
export const accountFields: FieldDefinition[] = [
  field('portal_includes_children', 'Portal includes child accounts', 'boolean', {
    defaultValue: false,
    helpText: "Contacts of this account see the invoices, quotes, orders and statements of its child accounts in the customer portal too.",
  }),
];
