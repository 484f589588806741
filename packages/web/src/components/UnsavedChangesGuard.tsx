import { Button, Group, Modal, Text } from '@mantine/core';
import { useBlocker } from '@tanstack/react-router';

/** Asks before leaving a page with unsaved changes (in-app navigation and tab close). */
export function UnsavedChangesGuard({ when }: { when: boolean }) {
  const blocker = useBlocker({ shouldBlockFn: () => when, enableBeforeUnload: () => when, withResolver: true });
  return (
    <Modal opened={blocker.status === 'blocked'} onClose={() => blocker.reset?.()} title="Discard unsaved changes?" centered>
      <Text size="sm" mb="md">You have changes that are not saved yet.</Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={() => blocker.reset?.()}>Keep editing</Button>
        <Button color="red" onClick={() => blocker.proceed?.()}>Discard changes</Button>
      </Group>
    </Modal>
  );
}
