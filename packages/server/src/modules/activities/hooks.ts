import type { HookRegistry } from '../../platform/records/hooks.ts';
import { ACTIVITY_OBJECTS } from './objects.ts';
import { syncRegardingLinks, validateActivityLink } from './rules/links.ts';
import { KINDS_WITH_MOVING_KEYS, refreshActivitySortKeys, refreshLinkRowSortKeys } from './rules/linkSortKeys.ts';
import { sanitizeRichText } from './rules/sanitize.ts';
import { validateRecurrence } from './rules/recurrence.ts';
import { repointActivityLinks } from './rules/mergeLinks.ts';
import { registerAttachmentHooks } from './attachments/rules.ts';
import { registerSchedulingHooks } from './scheduling/rules.ts';
import { registerInviteeHooks } from './rules/invitees.ts';

const SAVE = ['create', 'update'] as const;

/** The activities module's rules on the record pipeline (REST, bulk, CLI, imports alike). */
export function registerActivityHooks(hooks: HookRegistry): void {
  // Completing a task stamps completed_at; reopening it clears the stamp.
  hooks.register('beforeSave', {
    name: 'activities.taskCompletion',
    object: 'task',
    operations: [...SAVE],
    run: ({ data, previous }) => {
      if (!('status' in data) || data.status === previous?.status) return;
      data.completed_at = data.status === 'completed' ? new Date().toISOString() : null;
    },
  });

  hooks.register('beforeSave', {
    name: 'activities.sanitizeNote',
    object: 'note',
    operations: [...SAVE],
    run: ({ data }) => {
      if (typeof data.body === 'string') data.body = sanitizeRichText(data.body);
    },
  });

  for (const object of ['task', 'meeting', 'call']) {
    hooks.register('beforeSave', { name: 'activities.recurrence', object, operations: [...SAVE], run: validateRecurrence });
  }

  hooks.register('beforeSave', { name: 'activities.linkRules', object: 'activity_link', operations: [...SAVE], run: validateActivityLink });
  for (const object of ACTIVITY_OBJECTS) {
    hooks.register('afterSave', { name: 'activities.regardingLinks', object, operations: ['create', 'update'], run: syncRegardingLinks });
  }
  // A changed date, status or owner moves the activity on the timelines of all its links.
  for (const object of KINDS_WITH_MOVING_KEYS) {
    hooks.register('afterSave', { name: 'activities.linkSortKeys', object, operations: ['update'], run: refreshActivitySortKeys });
  }
  hooks.register('afterSave', { name: 'activities.linkRowSortKeys', object: 'activity_link', operations: ['create', 'update', 'restore'], run: refreshLinkRowSortKeys });
  // Links name records of any object, so a merge of any object re-points them.
  hooks.register('afterMerge', { name: 'activities.mergeLinks', object: '*', run: repointActivityLinks });
  registerAttachmentHooks(hooks);
  registerSchedulingHooks(hooks);
  registerInviteeHooks(hooks);
}
