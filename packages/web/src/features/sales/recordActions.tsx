import { useState } from 'react';
import { Alert, Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import type { RecordData } from '../../api/types';
import type { BoardMove, RecordSlotProps } from '../../lib/extensions';
import { AnchorLink } from '../../components/links';
import { ConvertLeadDialog } from './ConvertLeadDialog';
import { CloseOpportunityDialog } from './CloseOpportunityDialog';
import { closingOutcome, isClosed, usePipelineStages } from './stages';

export const isConvertedLead = (record: RecordData) => record.status === 'converted' || !!record.converted_at;

/** Lead: Convert, with the dialog; then to the new deal (or account). */
export function ConvertLeadAction({ record, name }: RecordSlotProps) {
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  if (isConvertedLead(record)) return null;
  return (
    <>
      <Button onClick={() => setOpen(true)}>Convert</Button>
      <ConvertLeadDialog lead={record} opened={open} onClose={() => setOpen(false)} onConverted={(r) => {
        setOpen(false);
        void qc.invalidateQueries({ queryKey: ['record', 'lead', record.id] });
        void qc.invalidateQueries({ queryKey: ['records'] });
        notifications.show({ color: 'green', message: `${name} converted` });
        const [object, id] = r.opportunity ? ['opportunity', r.opportunity.id] : ['account', r.account.id];
        navigate({ to: '/o/$object/$id', params: { object, id }, search: { tab: undefined } });
      }} />
    </>
  );
}

/** A converted lead says so and links to what it became. */
export function ConvertedLeadBanner({ record, display }: RecordSlotProps) {
  if (!isConvertedLead(record)) return null;
  const links = ([['account', 'converted_account', 'Account'], ['contact', 'converted_contact', 'Contact'], ['opportunity', 'converted_opportunity', 'Opportunity']] as const)
    .filter(([, f]) => typeof record[f] === 'string');
  return (
    <Alert color="blue" mt="sm" title="Converted lead" role="status">
      <Text size="sm">This lead was converted{record.converted_at ? ` on ${String(record.converted_at).slice(0, 10)}` : ''} and is read-only.</Text>
      {links.length > 0 && (
        <Group gap="md" mt={4}>
          {links.map(([obj, f, label]) => (
            <AnchorLink key={f} size="sm" to="/o/$object/$id" params={{ object: obj, id: String(record[f]) }} search={{ tab: undefined }}>
              {label}: {display[obj]?.[String(record[f])] ?? 'open'}
            </AnchorLink>
          ))}
        </Group>
      )}
    </Alert>
  );
}

/** Opportunity: Close deal (won, partially won, lost) while it is open. */
export function CloseDealAction({ record, name, onSaved }: RecordSlotProps) {
  const stages = usePipelineStages(record.pipeline);
  const [open, setOpen] = useState(false);
  if (!stages.data || isClosed(stages.data.stages, record)) return null;
  return (
    <>
      <Button onClick={() => setOpen(true)}>Close deal</Button>
      <CloseOpportunityDialog record={record} opened={open} onClose={() => setOpen(false)} onClosed={(r) => {
        setOpen(false);
        onSaved(r);
        notifications.show({ color: 'green', message: `${name} closed` });
      }} />
    </>
  );
}

/** The board: a card dropped on a closing stage asks for the outcome's details. */
export function useTakesStageMove(field: { apiName: string }) {
  const stages = usePipelineStages(null);
  return (move: BoardMove) => field.apiName === 'stage' && closingOutcome(stages.data?.stages, move.to) !== undefined;
}

export function CloseOnBoardDialog({ move, onCancel, onDone }: { move: BoardMove | null; onCancel: () => void; onDone: (saved: RecordData) => void }) {
  const stages = usePipelineStages(move?.record.pipeline ?? null);
  return (
    <CloseOpportunityDialog record={move?.record ?? null} outcome={move ? closingOutcome(stages.data?.stages, move.to) : undefined} opened={move !== null} onClose={onCancel} onClosed={(saved) => {
      notifications.show({ color: 'green', message: `${String(saved.name ?? '')} closed` });
      onDone(saved);
    }} />
  );
}
