import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Group, List, Modal, NumberInput, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { ApiError, errorMessage } from '../../api/client';
import { fieldOf, useMetadata } from '../../api/metadata';
import { salesApi, type CloseInput } from '../../api/sales';
import type { RecordData } from '../../api/types';
import { formatCurrency, recordCurrency } from '../../lib/format';

export type Outcome = CloseInput['outcome'];

/**
 * Won / partially won / lost: POST /opportunity/{id}/close. Stage-rule refusals (422) are listed
 * in the dialog, so the user can fix the deal and try again.
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
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (opened) {
      setOutcome(initial ?? 'won');
      setErrors([]);
    }
  }, [opened, initial]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!record) return;
    setBusy(true);
    setErrors([]);
    const input: CloseInput = { outcome };
    if (outcome === 'partially_won' && wonAmount !== '') input.wonAmount = Number(wonAmount);
    if (outcome === 'lost') {
      if (lostReason) input.lostReason = lostReason;
      if (detail.trim()) input.lostReasonDetail = detail.trim();
    }
    if (outcome !== 'lost' && createProject) input.createProject = true;
    try {
      const r = await salesApi.close(record.id, input);
      onClosed(r.opportunity);
    } catch (err) {
      if (err instanceof ApiError && err.fieldErrors().length) setErrors(err.fieldErrors().map((f) => (f.field ? `${fieldOf(opp!, f.field)?.label ?? f.field}: ${f.message}` : f.message)));
      else setErrors([errorMessage(err)]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Close ${record ? String(record.name ?? '') : 'opportunity'}`} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          {errors.length > 0 && (
            <Alert color="red" title="The opportunity was not closed" role="alert">
              {errors.length === 1 ? errors[0] : <List size="sm">{errors.map((m) => <List.Item key={m}>{m}</List.Item>)}</List>}
            </Alert>
          )}
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
            <NumberInput label="Won amount" required value={wonAmount} onChange={setWonAmount} min={0} description={record?.amount != null ? `Of ${formatCurrency(Number(record.amount), recordCurrency(record))}` : undefined} />
          )}
          {outcome === 'lost' && (
            <>
              <Select label="Lost reason" required data={reasons.map((v) => ({ value: v.value, label: v.label }))} value={lostReason} onChange={setLostReason} comboboxProps={{ withinPortal: true }} />
              <Textarea label="Details" value={detail} onChange={(e) => setDetail(e.currentTarget.value)} autosize minRows={2} />
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
