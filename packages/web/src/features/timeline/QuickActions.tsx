import { useState, type ComponentType } from 'react';
import { Button, Group } from '@mantine/core';
import { AttachFileModal } from './AttachFileModal';
import { FollowUpModal } from './FollowUpModal';
import { LogCallModal } from './LogCallModal';
import { MeetingModal } from './MeetingModal';
import { NoteModal } from './NoteModal';
import { TaskModal } from './TaskModal';
import type { QuickActionProps } from './useQuickSubmit';

const ACTIONS: Array<{ key: string; label: string; Modal: ComponentType<QuickActionProps> }> = [
  { key: 'call', label: 'Log a call', Modal: LogCallModal },
  { key: 'meeting', label: 'New meeting', Modal: MeetingModal },
  { key: 'task', label: 'New task', Modal: TaskModal },
  { key: 'follow-up', label: 'Follow-up', Modal: FollowUpModal },
  { key: 'note', label: 'Note', Modal: NoteModal },
  { key: 'file', label: 'Attach file', Modal: AttachFileModal },
];

/** The buttons above the timeline; each opens its form, mounted only while open so it starts fresh. */
export function QuickActions({ object, id, recordName }: { object: string; id: string; recordName: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const action = ACTIONS.find((a) => a.key === open);
  return (
    <>
      <Group gap="xs" role="group" aria-label="Quick actions">
        {ACTIONS.map((a) => (
          <Button key={a.key} size="compact-sm" variant="default" onClick={() => setOpen(a.key)}>{a.label}</Button>
        ))}
      </Group>
      {action && <action.Modal object={object} id={id} recordName={recordName} opened onClose={() => setOpen(null)} />}
    </>
  );
}
