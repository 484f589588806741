import { useState } from 'react';
import { Alert, Button, List, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/client';
import type { RecordData } from '../../api/types';
import { AnchorLink } from '../../components/links';
import type { RecordSlotProps } from '../../lib/extensions';
import { holdReasons, ordersApi, type OrderCommand } from './api';
import { CANCEL_PROMPT, HOLD_PROMPT, RELEASE_PROMPT, ReasonDialog, type ReasonPrompt } from './ReasonDialog';

/** Confirm, Start production, Complete: the steps an order's status allows (the server decides; refusals are shown). */
const STEPS: Array<{ command: OrderCommand; label: string; done: string; from: string[]; primary?: boolean }> = [
  { command: 'confirm', label: 'Confirm', done: 'Confirmed', from: ['received'], primary: true },
  { command: 'start-production', label: 'Start production', done: 'Production started for', from: ['confirmed'], primary: true },
  { command: 'complete', label: 'Complete', done: 'Completed', from: ['confirmed', 'in_production'] },
];
const DONE: Partial<Record<OrderCommand, string>> = { cancel: 'Cancelled', hold: 'Put on hold:', release: 'Released' };

/** The order's commands in the record page's header; Cancel, Hold and Release ask for words first. */
export function OrderActions({ record, id, onSaved }: RecordSlotProps) {
  const [busy, setBusy] = useState<string | null>(null);
  const [asking, setAsking] = useState<{ command: OrderCommand; prompt: ReasonPrompt } | null>(null);
  const status = String(record.status ?? '');
  const held = record.on_hold === true;
  const done = (saved: RecordData, what: string) => {
    onSaved(saved);
    notifications.show({ color: 'green', message: `${what} ${String(saved.name ?? '')}` });
  };
  const run = async (command: OrderCommand, label: string, what: string) => {
    setBusy(command);
    try {
      done(await ordersApi.run(id, command, {}, record.version), what);
    } catch (e) {
      notifications.show({ color: 'red', title: `${label} failed`, message: errorMessage(e), autoClose: 8000 });
    } finally {
      setBusy(null);
    }
  };
  const open = ['received', 'confirmed', 'in_production'].includes(status);
  return (
    <>
      {STEPS.filter((s) => s.from.includes(status)).map((s) => (
        <Button key={s.command} variant={s.primary && !held ? 'filled' : 'default'} loading={busy === s.command} onClick={() => void run(s.command, s.label, s.done)}>{s.label}</Button>
      ))}
      {held && <Button color="orange" onClick={() => setAsking({ command: 'release', prompt: RELEASE_PROMPT })}>Release</Button>}
      {!held && ['received', 'confirmed'].includes(status) && <Button variant="default" onClick={() => setAsking({ command: 'hold', prompt: HOLD_PROMPT })}>Hold</Button>}
      {open && <Button variant="default" color="red" onClick={() => setAsking({ command: 'cancel', prompt: CANCEL_PROMPT })}>Cancel order</Button>}
      <ReasonDialog
        prompt={asking?.prompt ?? null}
        onCancel={() => setAsking(null)}
        submit={(body) => ordersApi.run(id, asking!.command, body, record.version)}
        onDone={(saved) => {
          setAsking(null);
          done(saved, (asking && DONE[asking.command]) ?? 'Saved');
        }}
      />
    </>
  );
}

/** Under the header: why a held order waits (each reason, who raised it), and the shop payload it was received as. */
export function OrderBanner({ record, display }: RecordSlotProps) {
  const reasons = holdReasons(record.hold_reasons);
  const intake = typeof record.intake === 'string' ? record.intake : null;
  return (
    <>
      {record.on_hold === true && (
        <Alert color="orange" mt="sm" title="On hold" role="status" data-testid="hold-banner">
          {reasons.length ? (
            <List size="sm" spacing={2}>
              {reasons.map((r, i) => (
                <List.Item key={i}>
                  {r.message}
                  {(r.field || r.by) && <Text span size="xs" c="gray.8"> ({[r.field && `field ${r.field}`, r.by && `by ${r.by}`].filter(Boolean).join(', ')})</Text>}
                </List.Item>
              ))}
            </List>
          ) : <Text size="sm">No reason was given.</Text>}
          <Text size="sm" mt={4}>Release the order to confirm it.</Text>
        </Alert>
      )}
      {intake && (
        <Text size="sm" mt="xs">
          Received as{' '}
          <AnchorLink to="/o/$object/$id" params={{ object: 'order_intake', id: intake }} search={{ tab: undefined }}>{display.order_intake?.[intake] ?? 'the shop payload'}</AnchorLink>
        </Text>
      )}
    </>
  );
}
