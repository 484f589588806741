import { useRef, useState } from 'react';
import { Alert, Button, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { timelineKey, uploadAttachment } from '../../api/activities';
import { formatNumber } from '../../lib/format';
import type { QuickActionProps } from './useQuickSubmit';

/** The server's reasons for refusing a file, as a person would say them. */
function uploadError(error: unknown): string {
  if (error instanceof ApiError) {
    const fileError = error.fieldErrors().find((e) => e.field === 'file');
    if (fileError) return fileError.message;
  }
  return errorMessage(error);
}

const size = (bytes: number) => (bytes < 1024 ? `${formatNumber(bytes)} B` : bytes < 1024 ** 2 ? `${formatNumber(bytes / 1024, { maximumFractionDigits: 1 })} KB` : `${formatNumber(bytes / 1024 ** 2, { maximumFractionDigits: 1 })} MB`);

/** "Attach file": drop a file or pick one; the upload shows its progress and can be cancelled. */
export function AttachFileModal({ object, id, opened, onClose }: QuickActionProps) {
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [current, setCurrent] = useState<{ name: string; size: number; abort: () => void } | null>(null);

  const upload = async (file: File) => {
    setError(null);
    setProgress(0);
    const { done, abort } = uploadAttachment(object, id, file, setProgress);
    setCurrent({ name: file.name, size: file.size, abort });
    try {
      await done;
      void qc.invalidateQueries({ queryKey: timelineKey(object, id) });
      notifications.show({ color: 'green', message: `${file.name} attached` });
      onClose();
    } catch (e) {
      setError(uploadError(e));
    } finally {
      setProgress(null);
      setCurrent(null);
    }
  };
  const pick = (files: FileList | null) => {
    const file = files?.[0];
    if (file) void upload(file);
  };
  const uploading = progress !== null;

  return (
    <Modal opened={opened} onClose={() => { current?.abort(); onClose(); }} title="Attach file" centered>
      <Stack gap="sm">
        {error && <Alert color="red" role="alert" title="The file was not attached">{error}</Alert>}
        <div
          className="dropzone"
          data-over={over || undefined}
          onDragOver={(e) => { e.preventDefault(); setOver(true); }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => { e.preventDefault(); setOver(false); if (!uploading) pick(e.dataTransfer.files); }}
        >
          <Text size="sm">Drop a file here, or</Text>
          <Button variant="light" mt="xs" onClick={() => input.current?.click()} disabled={uploading}>Choose a file…</Button>
          <input ref={input} type="file" className="sr-only" aria-label="File to attach" tabIndex={-1} onChange={(e) => { pick(e.currentTarget.files); e.currentTarget.value = ''; }} />
        </div>
        {uploading && current && (
          <Stack gap={4} aria-live="polite">
            <Text size="sm">Uploading {current.name} ({size(current.size)})…</Text>
            <Progress value={Math.round(progress * 100)} aria-label={`Upload progress of ${current.name}`} animated />
          </Stack>
        )}
        <Group justify="flex-end">
          {uploading ? <Button variant="default" onClick={() => current?.abort()}>Cancel upload</Button> : <Button variant="default" onClick={onClose}>Close</Button>}
        </Group>
      </Stack>
    </Modal>
  );
}
