import { defineObject, field } from '../metadata/define.ts';

/** The user object: people who sign in. Credentials live apart (auth_credential), never in the record. */
export const user = defineObject({
  apiName: 'user',
  label: 'User',
  pluralLabel: 'Users',
  nameField: 'full_name',
  navOrder: 90,
  description: 'People who sign in to Meridian.',
  fields: [
    field('first_name', 'First name', 'text', { searchable: true }),
    field('last_name', 'Last name', 'text', { required: true, searchable: true }),
    field('full_name', 'Name', 'text', { generated: "btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))", searchable: true }),
    field('email', 'E-mail', 'email', { required: true, unique: true, searchable: true }),
    field('title', 'Title', 'text'),
    field('phone', 'Phone', 'phone'),
    field('profile', 'Profile', 'picklist', {
      // The values are the profiles configured in Settings (filled in by the registry).
      values: [{ value: 'admin', label: 'Administrator' }, { value: 'standard', label: 'Standard user' }],
      defaultValue: 'standard',
      required: true,
    }),
    field('role', 'Role', 'picklist', { values: [], helpText: 'Place in the role hierarchy: managers see the records of the roles below.' }),
    field('manager', 'Manager', 'user'),
    field('active', 'Active', 'boolean', { defaultValue: true }),
    field('time_zone', 'Time zone', 'text', { defaultValue: 'UTC' }),
    field('locale', 'Locale', 'text', { defaultValue: 'en-US' }),
  ],
});
