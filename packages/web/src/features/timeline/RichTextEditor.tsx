import { useState } from 'react';
import './rich-text.css';
import { ActionIcon, Button, Group, Popover, Stack, TextInput } from '@mantine/core';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import Link from '@tiptap/extension-link';

interface Props {
  value: string;
  onChange: (html: string) => void;
  /** id of the visible label, which names the editable area. */
  labelId: string;
  errorId?: string;
  invalid?: boolean;
}

/**
 * The note body editor (tiptap), loaded on demand with React.lazy so the main bundle stays
 * small. Only what notes keep is offered: bold, italic, lists and links — the server sanitises
 * whatever arrives anyway (docs/activities.md, "Note bodies").
 */
export default function RichTextEditor({ value, onChange, labelId, errorId, invalid }: Props) {
  const editor = useEditor({
    extensions: [
      // StarterKit v3 bundles a link extension; ours is configured below, so its own is off.
      StarterKit.configure({ link: false, heading: false, codeBlock: false, horizontalRule: false, strike: false, underline: false }),
      Link.configure({ openOnClick: false, autolink: true, protocols: ['http', 'https', 'mailto'], defaultProtocol: 'https' }),
    ],
    content: value,
    editorProps: {
      attributes: {
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': labelId,
        ...(errorId ? { 'aria-describedby': errorId } : {}),
        ...(invalid ? { 'aria-invalid': 'true' } : {}),
        class: 'rich-text-content',
      },
    },
    onUpdate: ({ editor: e }) => onChange(e.isEmpty ? '' : e.getHTML()),
  });
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e?.isActive('bold') ?? false,
      italic: e?.isActive('italic') ?? false,
      bullet: e?.isActive('bulletList') ?? false,
      ordered: e?.isActive('orderedList') ?? false,
      link: e?.isActive('link') ?? false,
    }),
  });
  if (!editor) return null;
  const chain = () => editor.chain().focus();
  const tools = [
    { label: 'Bold', glyph: <b>B</b>, active: state?.bold, run: () => chain().toggleBold().run() },
    { label: 'Italic', glyph: <i>I</i>, active: state?.italic, run: () => chain().toggleItalic().run() },
    { label: 'Bulleted list', glyph: <Glyph d="M9 6h11 M9 12h11 M9 18h11 M5 6v.01 M5 12v.01 M5 18v.01" />, active: state?.bullet, run: () => chain().toggleBulletList().run() },
    { label: 'Numbered list', glyph: <Glyph d="M11 6h9 M11 12h9 M12 18h8 M4 16a2 2 0 1 1 4 0c0 .591 -.5 1 -1 1.5l-3 2.5h4 M6 10v-6l-2 2" />, active: state?.ordered, run: () => chain().toggleOrderedList().run() },
  ];
  return (
    <div className="rich-text" data-invalid={invalid || undefined}>
      <Group gap={4} className="rich-text-toolbar" role="toolbar" aria-label="Formatting">
        {tools.map((t) => (
          // mousedown would move focus out of the editor and back (asynchronously, on click): the
          // first keystroke after a toolbar click could land before the focus returns. Keeping the
          // focus in the editor keeps its selection; keyboard users still press the button.
          <ActionIcon key={t.label} variant={t.active ? 'filled' : 'default'} aria-label={t.label} title={t.label} aria-pressed={!!t.active} onMouseDown={(e) => e.preventDefault()} onClick={t.run}>
            <span aria-hidden>{t.glyph}</span>
          </ActionIcon>
        ))}
        <LinkTool editor={editor} active={!!state?.link} />
      </Group>
      <EditorContent editor={editor} />
    </div>
  );
}

/** A link on the selected text: a small popover asking for the address (http, https or mailto). */
function LinkTool({ editor, active }: { editor: Editor; active: boolean }) {
  const [opened, setOpened] = useState(false);
  const [href, setHref] = useState('');
  const open = () => {
    setHref(String(editor.getAttributes('link').href ?? ''));
    setOpened(true);
  };
  const apply = () => {
    const url = href.trim();
    const range = editor.chain().focus().extendMarkRange('link');
    if (!url) range.unsetLink().run();
    else range.setLink({ href: /^(https?:|mailto:)/i.test(url) ? url : `https://${url}` }).run();
    setOpened(false);
  };
  return (
    <Popover opened={opened} onChange={setOpened} trapFocus withinPortal position="bottom-start" shadow="md">
      <Popover.Target>
        <ActionIcon variant={active ? 'filled' : 'default'} aria-label="Link" title="Link" aria-pressed={active} aria-haspopup="dialog" onClick={() => (opened ? setOpened(false) : open())}>
          <Glyph d="M9 15l6 -6 M11 6l.463 -.536a5 5 0 0 1 7.071 7.072l-.534 .464 M13 18l-.397 .534a5.068 5.068 0 0 1 -7.127 0a4.972 4.972 0 0 1 0 -7.071l.524 -.463" />
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <TextInput
            label="Link address"
            placeholder="https://example.com"
            value={href}
            onChange={(e) => setHref(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                apply();
              }
            }}
            data-autofocus
          />
          <Group gap="xs" justify="flex-end">
            {active && <Button size="xs" variant="default" onClick={() => { setHref(''); editor.chain().focus().extendMarkRange('link').unsetLink().run(); setOpened(false); }}>Remove link</Button>}
            <Button size="xs" onClick={apply}>Apply</Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function Glyph({ d }: { d: string }) {
  return (
    <svg aria-hidden width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d={d} />
    </svg>
  );
}
