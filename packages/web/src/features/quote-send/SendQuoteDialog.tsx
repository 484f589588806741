import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Group, Loader, Stack, Tabs, TagsInput, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { FormModal } from '../../components/FormModal';
import { FormSummary } from '../../components/FormSummary';
import { errorMessage } from '../../api/client';
import { quoteMailApi, type QuoteEmailResult } from '../../api/quoteMail';
import { useApiForm } from '../../lib/useApiForm';
import { asTemplate, editableText, LINK_PLACEHOLDER } from './editableMessage';

/**
 * Send a quote by e-mail (issue 11 item 9): recipients, subject and message as they will read,
 * the rendered HTML beside them, the PDF named; Send runs the server's one transaction (send,
 * link, PDF, timeline, SMTP) and says plainly when the quote went for approval instead.
 */
export function SendQuoteDialog(props: { quoteId: string; quoteName: string; opened: boolean; onClose: () => void; onSent: (result: QuoteEmailResult) => void }) {
  const { quoteId, opened } = props;
  const preview = useQuery({ queryKey: ['quote-email-preview', quoteId], queryFn: () => quoteMailApi.preview(quoteId, {}), enabled: opened, staleTime: 0, gcTime: 0 });
  const [to, setTo] = useState<string[]>([]);
  const [cc, setCc] = useState<string[]>([]);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [dirty, setDirty] = useState(false);
  const key = useMemo(() => crypto.randomUUID(), [opened]);

  useEffect(() => {
    if (!preview.data) return;
    setTo(preview.data.to);
    setCc(preview.data.cc);
    setSubject(preview.data.subject);
    setBody(editableText(preview.data.text, preview.data.link));
    setDirty(false);
  }, [preview.data]);

  const edit = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setDirty(true);
  };
  const form = useApiForm({
    fields: ['to', 'cc', 'subject', 'body'],
    submit: () => quoteMailApi.send(quoteId, { to, cc, subject: asTemplate(subject, false), body: asTemplate(body) }, key),
    onSuccess: (result) => {
      notifications.show(result.held
        ? { color: 'yellow', title: 'Waiting for approval', message: `${props.quoteName}'s discount needs your manager's approval. Nothing was e-mailed yet.` }
        : { color: 'green', title: 'Quote sent', message: `${props.quoteName} was e-mailed to ${to.join(', ')}.` });
      props.onSent(result);
      props.onClose();
    },
  });

  return (
    <FormModal opened={opened} onClose={props.onClose} dirty={dirty} title={`E-mail ${props.quoteName}`} size="xl">
      {preview.isPending ? (
        <Group justify="center" p="xl"><Loader aria-label="Preparing the e-mail" /></Group>
      ) : preview.isError ? (
        <Alert color="red" role="alert" title="The e-mail cannot be prepared">{errorMessage(preview.error)}</Alert>
      ) : (
        <form ref={form.formRef} onSubmit={form.onSubmit} noValidate>
          <Stack gap="sm">
            <FormSummary summary={form.summary} errors={form.errors} />
            <TagsInput label="To" required value={to} onChange={edit(setTo)} error={form.errors.to} splitChars={[',', ' ', ';']} acceptValueOnBlur />
            <TagsInput label="Cc" value={cc} onChange={edit(setCc)} error={form.errors.cc} splitChars={[',', ' ', ';']} acceptValueOnBlur />
            <TextInput label="Subject" required maxLength={500} value={subject} onChange={(e) => edit(setSubject)(e.currentTarget.value)} error={form.errors.subject} />
            <Tabs defaultValue="edit">
              <Tabs.List>
                <Tabs.Tab value="edit">Message</Tabs.Tab>
                <Tabs.Tab value="html">As the customer sees it</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="edit" pt="xs">
                <Textarea aria-label="Message" autosize minRows={8} maxRows={18} value={body} onChange={(e) => edit(setBody)(e.currentTarget.value)} error={form.errors.body}
                  description={`${LINK_PLACEHOLDER} becomes the customer's personal link to the online quote.`} />
              </Tabs.Panel>
              <Tabs.Panel value="html" pt="xs">
                <iframe title="E-mail preview" sandbox="" srcDoc={preview.data.html} style={{ width: '100%', height: 320, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4 }} />
                {dirty && <Text size="xs" c="dimmed" mt={4}>Shows the message before your edits.</Text>}
              </Tabs.Panel>
            </Tabs>
            <Text size="sm">Attached: <strong>{preview.data.attachment}</strong></Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={props.onClose}>Cancel</Button>
              <Button type="submit" loading={form.pending}>Send</Button>
            </Group>
          </Stack>
        </form>
      )}
    </FormModal>
  );
}
