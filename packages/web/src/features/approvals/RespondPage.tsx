import { useState } from 'react';
import { Alert, Button, Container, Group, Paper, SegmentedControl, Stack, Text, Textarea, Title } from '@mantine/core';
import { ApiError, errorMessage } from '../../api/client';
import { approvalsApi, type Outcome } from './api';

/**
 * The page an approval e-mail's link opens (/approvals/respond?token=…&decision=…), for the
 * approver without signing in: the link's token stands for them, works once and expires. The
 * answer is sent only when they press the button — opening the link (or a mail scanner
 * following it) decides nothing. Used, expired and forged links get the server's explanation.
 */
export function ApprovalRespondPage({ token, decision: initial }: { token: string; decision?: string }) {
  const [decision, setDecision] = useState<'approve' | 'reject'>(initial === 'reject' ? 'reject' : 'approve');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Outcome | null>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      setDone(await approvalsApi.respond(token, decision, comment.trim() || undefined));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const commentError = error instanceof ApiError && error.fieldErrors().some((f) => f.field === 'comment') ? error.fieldErrors().find((f) => f.field === 'comment')!.message : undefined;
  return (
    <Container size="xs" py="xl" component="main">
      <Paper withBorder p="lg">
        <Stack>
          <Title order={1} size="h2">Approval request</Title>
          {done ? (
            <Alert color="green" role="status" title="Thank you">Your answer is recorded. The request is now {done.status}.</Alert>
          ) : !token ? (
            <Alert color="red" role="alert">This link has no token. Open the request from your approvals inbox in Meridian.</Alert>
          ) : (
            <>
              {error && !commentError ? <Alert color="red" role="alert" title="This link cannot be used">{errorMessage(error)}</Alert> : null}
              <SegmentedControl aria-label="Your answer" value={decision} onChange={(v) => setDecision(v as 'approve' | 'reject')} data={[{ value: 'approve', label: 'Approve' }, { value: 'reject', label: 'Reject' }]} />
              <Textarea label={decision === 'reject' ? 'Why? (required)' : 'Comment (optional)'} value={comment} onChange={(e) => setComment(e.currentTarget.value)} error={commentError} autosize minRows={3} />
              <Group justify="flex-end">
                <Button color={decision === 'reject' ? 'red' : 'green'} loading={busy} onClick={() => void send()}>{decision === 'reject' ? 'Reject' : 'Approve'}</Button>
              </Group>
              <Text size="xs" c="dimmed">The link works once and expires. You can also answer from your approvals inbox in Meridian.</Text>
            </>
          )}
        </Stack>
      </Paper>
    </Container>
  );
}
