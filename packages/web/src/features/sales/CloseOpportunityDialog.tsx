import { useEffect, useState } from 'react';
import { Button, Checkbox, Group, Modal, NumberInput, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { fieldOf, useMetadata } from '../../api/metadata';
import { salesApi, type CloseInput } from '../../api/sales';
import type { RecordData } from '../../api/types';
import { formatCurrency, recordCurrency } from '../../lib/format';
import { useApiForm } from '../../lib/useApiForm';
import { FormSummary } from '../../components/FormSummary';

export type Outcome = CloseInput['outcome'];

/**
 * Won / partially won / lost: POST /opportunity/{id}/close. Stage-rule refusals (422) are shown
 * at the dialog's fields or, for the deal's own fields, in its summary, so the user can fix the
 * deal and try again.
 */
export function CloseOpportunityDialog({ record, outcome: initial, opened, onClose, onClosed }: {
  record: RecordData | null;
  outcome?: Outcome;
  opened: boolean;
  onClose: () => void;
  onClosed: (opportunity: RecordData) => void;
}) {
  const { byName } = useMetadata();
  const opp = byName('opportunity');
  const reasons = (opp && fieldOf(opp, 'lost_reason')?.picklist?.values.filter((v) => v.active !== false)) ?? [];
  const [outcome, setOutcome] = useState<Outcome>(initial ?? 'won');
  const [wonAmount, setWonAmount] = useState<number | string>('');
  const [lostReason, setLostReason] = useState<string | null>(null);
  const [detail, setDetail] = useState('');
  const [createProject, setCreateProject] = useState(false);
  // Stage rules refuse by the deal's fields (a lost reason, an amount): those the dialog shows are
  // marked there, the others named by their labels in the summary.
  const form = useApiForm({
    fields: ['wonAmount', 'lostReason', 'lostReasonDetail'],
    labelOf: (path) => (opp && fieldOf(opp, path.split(/[.[]/)[0]!)?.label) ?? path,
    submit: () => salesApi.close(record!.id, closeInput()),
    onSuccess: (r) => onClosed(r.opportunity),
  });

  const { reset } = form;
  useEffect(() => {
    if (!opened) return;
    setOutcome(initial ?? 'won');
    reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset is a new function each render
  }, [opened, initial]);

  const closeInput = (): CloseInput => {
    const input: CloseInput = { outcome };
    if (outcome === 'partially_won' && wonAmount !== '') input.wonAmount = Number(wonAmount);
    if (outcome === 'lost') {
      if (lostReason) input.lostReason = lostReason;
      if (detail.trim()) input.lostReasonDetail = detail.trim();
    }
    if (outcome !== 'lost' && createProject) input.createProject = true;
    return input;
  };
  const busy = form.pending;

  return (
    <Modal opened={opened} onClose={onClose} title={`Close ${record ? String(record.name ?? '') : 'opportunity'}`} centered>
      <form ref={form.formRef} onSubmit={(e) => { e.preventDefault(); if (record) form.onSubmit(); }} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          <div>
            <Text size="sm" fw={500} id="close-outcome-label" mb={4}>Outcome</Text>
            <SegmentedControl
              aria-labelledby="close-outcome-label"
              value={outcome}
              onChange={(v) => setOutcome(v as Outcome)}
              data={[{ value: 'won', label: 'Won' }, { value: 'partially_won', label: 'Partially won' }, { value: 'lost', label: 'Lost' }]}
              fullWidth
            />
          </div>
          {outcome === 'partially_won' && (
            <NumberInput label="Won amount" required value={wonAmount} error={form.errors.wonAmount} onChange={(v) => { setWonAmount(v); form.clearError('wonAmount'); }} min={0} description={record?.amount != null ? `Of ${formatCurrency(Number(record.amount), recordCurrency(record))}` : undefined} />
          )}
          {outcome === 'lost' && (
            <>
              <Select label="Lost reason" required data={reasons.map((v) => ({ value: v.value, label: v.label }))} value={lostReason} error={form.errors.lostReason} onChange={(v) => { setLostReason(v); form.clearError('lostReason'); }} comboboxProps={{ withinPortal: true }} />
              <Textarea label="Details" value={detail} error={form.errors.lostReasonDetail} onChange={(e) => setDetail(e.currentTarget.value)} autosize minRows={2} />
            </>
          )}
          {outcome !== 'lost' && <Checkbox label="Create a project" checked={createProject} onChange={(e) => setCreateProject(e.currentTarget.checked)} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} color={outcome === 'lost' ? 'red' : 'green'}>
              {outcome === 'lost' ? 'Close as lost' : outcome === 'partially_won' ? 'Close as partially won' : 'Close as won'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
