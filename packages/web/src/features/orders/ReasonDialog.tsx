import { useEffect, useState } from 'react';
import { Button, Group, Modal, Stack, Textarea } from '@mantine/core';
import type { RecordData } from '../../api/types';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';

export interface ReasonPrompt {
  title: string;
  label: string;
  /** The body field the text goes in: `reason` (cancel, hold, move) or `comment` (release). */
  name: 'reason' | 'comment';
  required: boolean;
  submitLabel: string;
  color?: string;
  description?: string;
}

/**
 * Asks why (cancel, hold) or on what grounds (release) before a command runs; the server's
 * refusal is shown in the dialog, at the field when it names it.
 */
export function ReasonDialog({ prompt, onCancel, submit, onDone }: {
  prompt: ReasonPrompt | null;
  onCancel: () => void;
  submit: (body: Record<string, string>) => Promise<RecordData>;
  onDone: (saved: RecordData) => void;
}) {
  const [text, setText] = useState('');
  const form = useApiForm({
    fields: [prompt?.name ?? 'reason'],
    submit: () => submit(text.trim() ? { [prompt!.name]: text.trim() } : {}),
    onSuccess: onDone,
  });
  const { reset } = form;
  const opened = prompt !== null;
  useEffect(() => {
    if (!opened) return;
    setText('');
    reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset is a new function each render
  }, [opened]);
  const name = prompt?.name ?? 'reason';
  return (
    <Modal opened={opened} onClose={onCancel} title={prompt?.title ?? ''} centered>
      <form ref={form.formRef} onSubmit={(e) => { e.preventDefault(); if (prompt) form.onSubmit(); }} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          <Textarea label={prompt?.label} description={prompt?.description} required={prompt?.required} value={text} error={form.errors[name]} data-autofocus autosize minRows={3}
            onChange={(e) => { setText(e.currentTarget.value); form.clearError(name); }} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} disabled={form.pending}>Back</Button>
            <Button type="submit" color={prompt?.color} loading={form.pending} disabled={prompt?.required && !text.trim()}>{prompt?.submitLabel}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export const CANCEL_PROMPT: ReasonPrompt = { title: 'Cancel the order', label: 'Reason', name: 'reason', required: false, submitLabel: 'Cancel order', color: 'red', description: 'Kept on the order and told to whoever follows it.' };
export const HOLD_PROMPT: ReasonPrompt = { title: 'Put the order on hold', label: 'Reason', name: 'reason', required: true, submitLabel: 'Hold', color: 'orange', description: 'A held order cannot be confirmed until someone releases it.' };
export const RELEASE_PROMPT: ReasonPrompt = { title: 'Release the order', label: 'Comment', name: 'comment', required: true, submitLabel: 'Release', description: 'Why it may go ahead: what was checked or fixed.' };
