import { defineObject, field } from '../../../platform/metadata/define.ts';

/**
 * A public booking link (ACT-4, "appointment scheduling links"): a host (the owner) publishes
 * /book/<slug>; visitors without an account pick a free slot computed from the host's calendar
 * and a meeting is created on it. Values are checked by the beforeSave hook in rules.ts.
 */
export const bookingLink = defineObject({
  apiName: 'booking_link',
  label: 'Booking link',
  pluralLabel: 'Booking links',
  nameField: 'name',
  navOrder: 44,
  description: 'Public scheduling links: visitors book a meeting in your free time at /book/<slug>.',
  fields: [
    field('name', 'Name', 'text', { required: true, searchable: true, helpText: 'Shown to visitors, e.g. "30-minute intro"' }),
    field('slug', 'Slug', 'text', { unique: true, searchable: true, helpText: 'The link is /book/<slug>: lower-case letters, digits and dashes; generated when left empty' }),
    field('duration_minutes', 'Duration (minutes)', 'number', { required: true, defaultValue: 30, helpText: '15 to 480' }),
    field('time_zone', 'Time zone', 'text', { helpText: 'IANA time zone of the availability hours, e.g. Europe/Berlin; defaults to the owner\'s' }),
    field('availability', 'Weekly hours', 'long_text', {
      helpText: 'JSON, e.g. {"mon":[["09:00","12:00"],["13:00","17:00"]],"tue":[["09:00","17:00"]]}; days mon…sun; defaults to Monday–Friday 09:00–17:00',
    }),
    field('buffer_minutes', 'Buffer (minutes)', 'number', { defaultValue: 0, helpText: 'Free time kept before and after your other meetings and calls (0 to 240)' }),
    field('min_notice_hours', 'Minimum notice (hours)', 'number', { defaultValue: 4, helpText: 'How far ahead a slot must start to be bookable (0 to 720)' }),
    field('max_days_ahead', 'Bookable days ahead', 'number', { defaultValue: 30, helpText: '1 to 365' }),
    field('active', 'Active', 'boolean', { defaultValue: true, helpText: 'Inactive links answer "not found"' }),
    field('location', 'Location', 'text', { helpText: 'Copied to the booked meetings and shown to visitors' }),
    field('description', 'Description', 'long_text', { helpText: 'Shown to visitors on the booking page (plain text)' }),
  ],
});
