import type { ReactNode } from 'react';
import { Alert, Button, Group, Modal, Stack } from '@mantine/core';

interface Props {
  title: string;
  opened: boolean;
  onClose: () => void;
  busy: boolean;
  formError: string | null;
  submitLabel: string;
  onSubmit: () => void;
  children: ReactNode;
}

/** The dialog around a quick action's form: errors on top, Cancel and the action at the bottom. */
export function QuickModal({ title, opened, onClose, busy, formError, submitLabel, onSubmit, children }: Props) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered size="lg">
      {/* The server's field errors are the messages people see, as in every other form. */}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          e.stopPropagation();
          onSubmit();
        }}
      >
        <Stack gap="sm">
          {formError && <Alert color="red" role="alert">{formError}</Alert>}
          {children}
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={busy}>{submitLabel}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
