import { lazy, Suspense, useId, useState } from 'react';
import { Input, Text, TextInput } from '@mantine/core';
import { activitiesApi } from '../../api/activities';
import { QuickModal } from './QuickModal';
import { useQuickSubmit, type QuickActionProps } from './useQuickSubmit';

// The editor (tiptap and ProseMirror) is its own chunk, fetched the first time a note is written.
const RichTextEditor = lazy(() => import('./RichTextEditor'));

/** "Note": a title and a rich-text body, sanitised by the server before it is stored. */
export function NoteModal(props: QuickActionProps) {
  const { busy, errors, formError, submit } = useQuickSubmit(props);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const labelId = useId();
  const errorId = useId();

  const save = () => submit(['title', 'body'], (key) => activitiesApi.log(props.object, props.id, 'note', { title, ...(body ? { body } : {}) }, key), 'Note added');
  return (
    <QuickModal title="Note" opened={props.opened} onClose={props.onClose} busy={busy} formError={formError} submitLabel="Save note" onSubmit={() => void save()}>
      <TextInput label="Title" required value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={errors.title} data-autofocus />
      <div>
        <Text component="label" id={labelId} size="sm" fw={500}>Body</Text>
        <Suspense fallback={<Text size="sm" c="dimmed">Loading the editor…</Text>}>
          <RichTextEditor value={body} onChange={setBody} labelId={labelId} errorId={errors.body ? errorId : undefined} invalid={!!errors.body} />
        </Suspense>
        {errors.body && <Input.Error id={errorId}>{errors.body}</Input.Error>}
      </div>
    </QuickModal>
  );
}
