import { useState } from 'react';
import { Alert, Badge, Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { getRecord } from '../../api/records';
import type { RecordData } from '../../api/types';
import type { RecordSlotProps } from '../../lib/extensions';
import { formatDateTime } from '../../lib/format';
import { useMe } from '../../lib/useMe';
import { ReasonDialog, type ReasonPrompt } from '../orders/ReasonDialog';
import { approvalsApi, label, STATUS_COLORS, type ApprovalEntry } from './api';

type Action = 'submit' | 'approve' | 'reject' | 'recall';
const PROMPTS: Record<Action, ReasonPrompt> = {
  submit: { title: 'Submit for approval', label: 'Comment for the approvers', name: 'comment', required: false, submitLabel: 'Submit', description: 'The record is locked until the request is approved, rejected or recalled.' },
  approve: { title: 'Approve', label: 'Comment', name: 'comment', required: false, submitLabel: 'Approve', color: 'green' },
  reject: { title: 'Reject', label: 'Why?', name: 'comment', required: true, submitLabel: 'Reject', color: 'red', description: 'The submitter sees your comment.' },
  recall: { title: 'Recall the request', label: 'Comment', name: 'comment', required: false, submitLabel: 'Recall', description: 'The record is unlocked; the approvers no longer need to answer.' },
};

export const historyKey = (object: string, id: string) => ['approvals', 'history', object, id];

/**
 * Approvals on any record's page (issue 14 items 6 and 11): the pending request with Approve /
 * Reject for its approvers and Recall for its submitter, Submit for approval when the server says
 * this user may submit this record now (`canSubmit`: a process applies and they are a submitter),
 * and the record's approval history with every approver's answer. Nothing at all on records
 * never submitted that the user cannot submit.
 */
export function ApprovalPanel({ object, id, onSaved }: RecordSlotProps) {
  const qc = useQueryClient();
  const me = useMe().data;
  const key = historyKey(object.apiName, id);
  const history = useQuery({ queryKey: key, queryFn: () => approvalsApi.history(object.apiName, id) });
  const [action, setAction] = useState<Action | null>(null);
  if (history.error) return <Alert color="red" role="alert">{errorMessage(history.error)}</Alert>;
  const data = history.data;
  if (!data || (!data.data.length && !data.canSubmit)) return null;
  const pending = data.data.find((r) => r.status === 'pending');
  const mine = pending?.results.some((r) => r.approver === me?.id && r.decision === 'pending');
  const run = async (body: Record<string, string>): Promise<RecordData> => {
    const comment = body.comment;
    if (action === 'submit') await approvalsApi.submit(object.apiName, id, comment);
    else if (action === 'approve') await approvalsApi.approve(pending!.id, comment);
    else if (action === 'reject') await approvalsApi.reject(pending!.id, comment ?? '');
    else await approvalsApi.recall(pending!.id, comment);
    return getRecord(object.apiName, id);
  };
  const done = (saved: RecordData) => {
    const what = action;
    setAction(null);
    onSaved(saved);
    void qc.invalidateQueries({ queryKey: ['approvals'] });
    notifications.show({ color: 'green', message: what === 'submit' ? 'Submitted for approval' : what === 'recall' ? 'The request is recalled' : `You ${what === 'approve' ? 'approved' : 'rejected'} the request` });
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="approvals-title" data-testid="approval-panel">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="approvals-title">Approvals</Title>
        <Group gap="xs">
          {mine && <Button size="xs" color="green" onClick={() => setAction('approve')}>Approve</Button>}
          {mine && <Button size="xs" color="red" variant="light" onClick={() => setAction('reject')}>Reject</Button>}
          {pending && (pending.submittedBy === me?.id || me?.isAdmin) && <Button size="xs" variant="default" onClick={() => setAction('recall')}>Recall</Button>}
          {!pending && data.canSubmit && <Button size="xs" variant="light" onClick={() => setAction('submit')}>Submit for approval</Button>}
        </Group>
      </Group>
      {pending && <Alert color="yellow" mb="sm" role="status">Waiting for approval{pending.step ? ` at step “${pending.step}”` : ''}: only administrators can change this record until it is decided.</Alert>}
      {data.data.length === 0 ? <Text size="sm" c="dimmed">Not submitted for approval yet.</Text> : (
        <Stack gap="sm">{data.data.slice(0, 5).map((r) => <Entry key={r.id} entry={r} />)}</Stack>
      )}
      <ReasonDialog prompt={action ? PROMPTS[action] : null} onCancel={() => setAction(null)} submit={run} onDone={done} />
    </Paper>
  );
}

function Entry({ entry }: { entry: ApprovalEntry }) {
  return (
    <div data-request={entry.id}>
      <Group gap="xs">
        <Badge color={STATUS_COLORS[entry.status] ?? 'gray'} variant="light">{label(entry.status)}</Badge>
        <Text size="sm" fw={600}>{entry.name}</Text>
      </Group>
      <Text size="xs" c="dimmed">Submitted by {entry.submittedByName ?? 'someone'}{entry.submittedAt ? ` · ${formatDateTime(entry.submittedAt)}` : ''}{entry.comment ? ` — “${entry.comment}”` : ''}</Text>
      <List size="sm" spacing={2} mt={4}>
        {entry.results.map((s) => (
          <List.Item key={s.id}>
            {s.stepName}: {s.approverName ?? 'an approver'} — <Text span fw={600} c={s.decision === 'rejected' ? 'red.8' : s.decision === 'approved' ? 'teal.9' : undefined}>{label(s.decision)}</Text>
            {s.via === 'email' ? ' (by e-mail)' : ''}{s.comment ? `: “${s.comment}”` : ''}
          </List.Item>
        ))}
      </List>
    </div>
  );
}
