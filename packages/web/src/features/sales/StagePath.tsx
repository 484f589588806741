import { useState } from 'react';
import { Group, Text, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/client';
import { updateRecord } from '../../api/records';
import type { RecordSlotProps } from '../../lib/extensions';
import { formatDate } from '../../lib/format';
import { CloseOpportunityDialog, type Outcome } from './CloseOpportunityDialog';
import { usePipelineStages } from './stages';
import './stage-path.css';

/**
 * The deal's stages as steps (Salesforce's "Path"): done, current and ahead, with the close date.
 * A click moves the deal there within the pipeline's rules — the server refuses a move the rules
 * do not allow and the reason is shown; a closing stage asks for the outcome's details.
 */
export function StagePath({ record, onSaved }: RecordSlotProps) {
  const stages = usePipelineStages(record.pipeline);
  const [closing, setClosing] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const list = stages.data?.stages ?? [];
  if (!list.length) return null;
  const currentIndex = list.findIndex((s) => s.value === record.stage);
  // Closed stages are alternatives, not steps: show only the one reached, else a single "Closed".
  const open = list.filter((s) => s.outcome === 'open');
  const closed = list[currentIndex]?.outcome !== 'open' ? list[currentIndex] : undefined;

  const move = async (value: string, outcome: Outcome | undefined) => {
    if (value === record.stage || busy) return;
    if (outcome) {
      setClosing(outcome);
      return;
    }
    setBusy(true);
    try {
      onSaved(await updateRecord('opportunity', record.id, { stage: value }, record.version));
    } catch (e) {
      notifications.show({ color: 'red', title: 'The stage was not changed', message: errorMessage(e), autoClose: 8000 });
    } finally {
      setBusy(false);
    }
  };

  const step = (key: string, label: string, state: 'done' | 'current' | 'ahead', onClick?: () => void, closedOutcome?: string) => (
    <li key={key} className="stage-step" data-state={state} data-outcome={closedOutcome}>
      <UnstyledButton onClick={onClick} disabled={!onClick || busy} aria-current={state === 'current' ? 'step' : undefined} className="stage-step-button">
        {label}
      </UnstyledButton>
    </li>
  );

  return (
    <Group gap="sm" mt="sm" wrap="wrap" align="center">
      <ol className="stage-path" aria-label="Stage">
        {open.map((s) => {
          const i = list.indexOf(s);
          const state = closed ? 'done' : i < currentIndex ? 'done' : i === currentIndex ? 'current' : 'ahead';
          return step(s.value, s.name, state, closed ? undefined : () => void move(s.value, undefined));
        })}
        {closed
          ? step(closed.value, closed.name, 'current', undefined, closed.outcome)
          : step('close', 'Close…', 'ahead', () => setClosing('won'))}
      </ol>
      {typeof record.close_date === 'string' && <Text size="sm" c="dimmed">Close date {formatDate(record.close_date)}</Text>}
      <CloseOpportunityDialog record={record} outcome={closing ?? undefined} opened={closing !== null} onClose={() => setClosing(null)} onClosed={(r) => {
        setClosing(null);
        onSaved(r);
        notifications.show({ color: 'green', message: `${String(record.name ?? '')} closed` });
      }} />
    </Group>
  );
}
