import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { Button, Group, Modal, Text, type ModalProps } from '@mantine/core';

const ReportDirty = createContext<((dirty: boolean) => void) | null>(null);

/**
 * A dialog holding a form: closing it (Esc, ×, a click outside) while the form has typed input
 * asks before discarding it. Whether it has: the `dirty` prop, or what the form inside reports with
 * useReportDirty. Saving closes it through the form's own onClose, without asking.
 */
export function FormModal({ opened, onClose, children, dirty: dirtyProp, ...props }: Omit<ModalProps, 'children'> & { children: ReactNode; dirty?: boolean }) {
  const [reported, setDirty] = useState(false);
  const dirty = dirtyProp ?? reported;
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    if (!opened) setDirty(false);
  }, [opened]);
  const discard = () => {
    setAsking(false);
    setDirty(false);
    onClose();
  };
  return (
    <ReportDirty.Provider value={setDirty}>
      <Modal opened={opened} onClose={() => (dirty ? setAsking(true) : onClose())} {...props}>
        {children}
      </Modal>
      {/* Not closed by Esc: the Esc that opened it may still be reaching window listeners. */}
      <Modal opened={asking} onClose={() => setAsking(false)} closeOnEscape={false} title="Discard your changes?" centered size="sm" zIndex={400}>
        <Text size="sm" mb="md">What you typed in this dialog is not saved.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setAsking(false)} data-autofocus>Keep editing</Button>
          <Button color="red" onClick={discard}>Discard</Button>
        </Group>
      </Modal>
    </ReportDirty.Provider>
  );
}

/** Tells the FormModal around this form whether it holds unsaved input. */
export function useReportDirty(dirty: boolean) {
  const report = useContext(ReportDirty);
  useEffect(() => {
    report?.(dirty);
  }, [report, dirty]);
}
