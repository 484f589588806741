import { useState } from 'react';
import { Alert, Button, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import type { RecordData } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { Loading } from '../../components/PageState';
import { formatDateTime } from '../../lib/format';
import { ReasonDialog, type ReasonPrompt } from '../orders/ReasonDialog';
import { approvalsApi, type InboxItem } from './api';

export const APPROVALS_PATH = '/approvals';
const inboxKey = ['approvals', 'inbox'];
const PROMPTS: Record<'approve' | 'reject', ReasonPrompt> = {
  approve: { title: 'Approve', label: 'Comment', name: 'comment', required: false, submitLabel: 'Approve', color: 'green' },
  reject: { title: 'Reject', label: 'Why?', name: 'comment', required: true, submitLabel: 'Reject', color: 'red', description: 'The submitter sees your comment.' },
};

/** The approvals inbox (/approvals, issue 14 item 11): what waits for my answer, oldest first, answered in place. */
export function ApprovalInboxPage() {
  const qc = useQueryClient();
  const inbox = useQuery({ queryKey: inboxKey, queryFn: () => approvalsApi.inbox() });
  const [answering, setAnswering] = useState<{ item: InboxItem; decision: 'approve' | 'reject' } | null>(null);
  const items = inbox.data?.data;
  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Title order={1}>Approvals</Title>
        <Text size="sm" c="dimmed">Requests waiting for your answer. Each record stays locked until it is decided.</Text>
      </div>
      {inbox.error ? <Alert color="red" role="alert">{errorMessage(inbox.error)}</Alert> : !items ? <Loading label="Loading your approvals" /> : items.length === 0 ? (
        <Alert color="gray" role="status" title="Nothing waits for your approval">When someone submits a record you approve, it appears here and in your notifications.</Alert>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped aria-label="Requests waiting for your answer">
            <Table.Thead>
              <Table.Tr><Table.Th>Request</Table.Th><Table.Th>Step</Table.Th><Table.Th>Submitted</Table.Th><Table.Th>Comment</Table.Th><Table.Th><VisuallyHidden>Answer</VisuallyHidden></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((i) => (
                <Table.Tr key={i.stepResult} data-request={i.request}>
                  <Table.Td><AnchorLink to="/o/$object/$id" params={{ object: i.object, id: i.recordId }} search={{ tab: undefined }}>{i.name}</AnchorLink></Table.Td>
                  <Table.Td>{i.step}</Table.Td>
                  <Table.Td>{i.submittedByName ?? '—'}{i.submittedAt ? <Text size="xs" c="dimmed">{formatDateTime(i.submittedAt)}</Text> : null}</Table.Td>
                  <Table.Td>{i.comment ?? ''}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" color="green" onClick={() => setAnswering({ item: i, decision: 'approve' })} aria-label={`Approve ${i.name}`}>Approve</Button>
                      <Button size="xs" color="red" variant="light" onClick={() => setAnswering({ item: i, decision: 'reject' })} aria-label={`Reject ${i.name}`}>Reject</Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ReasonDialog
        prompt={answering ? PROMPTS[answering.decision] : null}
        onCancel={() => setAnswering(null)}
        submit={async (body) => {
          const a = answering!;
          const outcome = a.decision === 'approve' ? await approvalsApi.approve(a.item.request, body.comment) : await approvalsApi.reject(a.item.request, body.comment ?? '');
          // The dialog hands a record on; the approver may not be able to read the record itself, so the outcome stands in.
          const answered: RecordData = { id: outcome.request, version: 0, status: outcome.status };
          return answered;
        }}
        onDone={(r) => {
          setAnswering(null);
          void qc.invalidateQueries({ queryKey: ['approvals'] });
          notifications.show({ color: 'green', message: `Answered — the request is ${String(r.status)}` });
        }}
      />
    </Stack>
  );
}
