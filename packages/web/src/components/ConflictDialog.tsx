import { Button, Group, Modal, Stack, Text } from '@mantine/core';

/** 409 version_conflict: someone saved this record after it was loaded. */
export function ConflictDialog({ opened, message, onReload, onOverwrite, onClose, busy }: { opened: boolean; message: string; onReload: () => void; onOverwrite: () => void; onClose: () => void; busy?: boolean }) {
  return (
    <Modal opened={opened} onClose={onClose} title="This record was changed by someone else" centered>
      <Stack>
        <Text size="sm">{message}</Text>
        <Text size="sm">Reload to see their changes (yours are discarded), or overwrite with your values.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onReload} disabled={busy}>Reload</Button>
          <Button color="red" onClick={onOverwrite} loading={busy}>Overwrite</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
