import { fieldOf } from '../../api/metadata';
import type { TimelineItem } from '../../api/activities';
import type { ObjectDef } from '../../api/types';
import { formatValue } from '../../lib/format';

type Names = (id: string | null | undefined) => string | undefined;

/**
 * A history entry as a sentence: "Stage changed from Prospecting to Proposal". Values are shown
 * the way the record page shows them (picklist labels, dates in the user's zone, user names).
 */
export function changeSentence(object: ObjectDef, change: NonNullable<TimelineItem['change']>, names: Names): string {
  switch (change.operation) {
    case 'create':
      return `${object.label} created`;
    case 'delete':
      return `${object.label} deleted`;
    case 'restore':
      return `${object.label} restored`;
  }
  const field = change.field ? fieldOf(object, change.field) : undefined;
  const label = field?.label ?? change.field ?? 'Record';
  const show = (v: unknown): string => {
    if (v === null || v === undefined || v === '') return '';
    if (field?.type === 'user' && typeof v === 'string') return names(v) ?? 'a user';
    if (field) return formatValue(field, v);
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  const from = show(change.old);
  const to = show(change.new);
  if (!from) return `${label} set to ${to}`;
  if (!to) return `${label} cleared (was ${from})`;
  return `${label} changed from ${from} to ${to}`;
}

/** User IDs a change mentions besides its actor: the old and new owner. */
export function changeUserIds(object: ObjectDef, change: TimelineItem['change']): string[] {
  if (!change?.field || fieldOf(object, change.field)?.type !== 'user') return [];
  return [change.old, change.new].filter((v): v is string => typeof v === 'string');
}
