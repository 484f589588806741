import { describe, expect, test } from 'vitest';
import type { FieldDef, ObjectDef } from '../../api/types';
import { setLocaleSettings } from '../../lib/format';
import { changeSentence, changeUserIds } from './changeText';
import { formatWhen, isDayOnly } from './time';

const field = (apiName: string, label: string, type: FieldDef['type'], values?: Array<[string, string]>): FieldDef => ({
  apiName, label, type, required: false, unique: false, defaultValue: null, helpText: null,
  picklist: values ? { values: values.map(([value, l]) => ({ value, label: l })) } : null,
  lookup: null, autonumber: null, standard: true, readOnly: false, searchable: false, externalId: false,
});
const opportunity: ObjectDef = {
  apiName: 'opportunity', label: 'Opportunity', pluralLabel: 'Opportunities', description: null, standard: true, nameField: 'name', navOrder: 1, inNavigation: true, mergeable: false, listColumns: ['name'], validationRules: [],
  fields: [field('stage', 'Stage', 'picklist', [['prospecting', 'Prospecting'], ['proposal', 'Proposal']]), field('owner', 'Owner', 'user')],
};
const names = (id: string | null | undefined) => ({ u1: 'Ada Admin', u2: 'Grace Hopper' })[id ?? ''] as string | undefined;

describe('timeline dates', () => {
  test('relative within a week, in the user zone; a due day by calendar days', () => {
    setLocaleSettings({ locale: 'en-US', timeZone: 'Europe/Berlin' });
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(formatWhen('2026-03-10T09:00:00Z', false, now)).toBe('3 hours ago');
    expect(formatWhen('2026-03-10T12:20:00Z', false, now)).toBe('in 20 minutes');
    expect(formatWhen('2026-03-30T12:00:00Z', false, now)).toBe('Mar 30, 2026, 2:00 PM');
    // Midnight in Berlin of 11 March is 23:00Z on the 10th: tomorrow, not today.
    expect(isDayOnly('task', '2026-03-10T23:00:00Z')).toBe(true);
    expect(isDayOnly('task', '2026-03-10T12:34:00Z')).toBe(false);
    expect(formatWhen('2026-03-10T23:00:00Z', true, now)).toBe('tomorrow');
    expect(formatWhen('2026-03-08T23:00:00Z', true, now)).toBe('yesterday');
    expect(formatWhen('2026-04-01T22:00:00Z', true, now)).toBe('Apr 2, 2026');
  });
});

describe('change sentences', () => {
  test('picklist labels, user names, set and cleared values', () => {
    expect(changeSentence(opportunity, { operation: 'update', field: 'stage', old: 'prospecting', new: 'proposal', actor: 'u1' }, names)).toBe('Stage changed from Prospecting to Proposal');
    expect(changeSentence(opportunity, { operation: 'update', field: 'owner', old: 'u1', new: 'u2', actor: 'u1' }, names)).toBe('Owner changed from Ada Admin to Grace Hopper');
    expect(changeSentence(opportunity, { operation: 'update', field: 'stage', old: null, new: 'proposal', actor: null }, names)).toBe('Stage set to Proposal');
    expect(changeSentence(opportunity, { operation: 'create', field: null, old: null, new: null, actor: 'u1' }, names)).toBe('Opportunity created');
    expect(changeUserIds(opportunity, { operation: 'update', field: 'owner', old: 'u1', new: 'u2', actor: 'u1' })).toEqual(['u1', 'u2']);
    expect(changeUserIds(opportunity, { operation: 'update', field: 'stage', old: 'a', new: 'b', actor: 'u1' })).toEqual([]);
  });
});
