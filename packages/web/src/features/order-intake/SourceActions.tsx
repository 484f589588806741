import { useState } from 'react';
import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { errorMessage } from '../../api/client';
import { orderIntakeApi, type IntakeSecret } from '../../api/orderIntake';
import type { RecordSlotProps } from '../../lib/extensions';
import type { RecordData } from '../../api/types';

/**
 * An order source's signing secret: made here and shown once (Meridian keeps it encrypted and
 * never shows it again); a new one replaces it, the old one working 24 hours more.
 */
export function SourceActions({ record, id, name, onSaved }: RecordSlotProps) {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<IntakeSecret | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hasSecret = Boolean(record.secret_hint);
  const make = async () => {
    setBusy(true);
    setError(null);
    try {
      const made = await orderIntakeApi.rotateSecret(id);
      setSecret(made);
      onSaved({ ...record, secret_hint: made.hint } as RecordData);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpen(false);
    setSecret(null);
    setError(null);
  };
  const url = `${window.location.origin}/api/v1/order-intake/${String(record.key ?? '')}`;
  return (
    <>
      <Button variant={hasSecret ? 'default' : 'filled'} onClick={() => setOpen(true)}>{hasSecret ? 'New secret…' : 'Make secret…'}</Button>
      <Modal opened={open} onClose={close} title={`Signing secret of ${name}`} size="lg">
        <Stack>
          <Text size="sm">The shop sends orders to <Code>{url}</Code> and signs each body with this secret (header <Code>X-Meridian-Signature</Code>; see the intake formats guide).</Text>
          {hasSecret && !secret && <Text size="sm">A new secret replaces <Code>{String(record.secret_hint)}</Code>; the old one keeps working for 24 hours while you change the shop's setting.</Text>}
          {error && <Alert color="red" title="No secret was made">{error}</Alert>}
          {secret ? (
            <>
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }} data-testid="intake-secret">{secret.secret}</Text>
                <CopyButton value={secret.secret}>{({ copied, copy }) => <Button size="compact-sm" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
              </Group>
              <Text size="xs" c="gray.7">Copy it now: it is not shown again.{secret.previousValidUntil ? ` The previous secret works until ${new Date(secret.previousValidUntil).toLocaleString()}.` : ''}</Text>
              <Group justify="flex-end"><Button onClick={close}>Done</Button></Group>
            </>
          ) : (
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>Cancel</Button>
              <Button onClick={() => void make()} loading={busy}>{hasSecret ? 'Make a new secret' : 'Make the secret'}</Button>
            </Group>
          )}
        </Stack>
      </Modal>
    </>
  );
}
