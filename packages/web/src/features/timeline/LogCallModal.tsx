import { useState } from 'react';
import { fieldOf, useMetadata } from '../../api/metadata';
import { activitiesApi } from '../../api/activities';
import type { FieldDef } from '../../api/types';
import { FieldInput } from '../../components/FieldInput';
import { QuickModal } from './QuickModal';
import { compact } from './values';
import { useQuickSubmit, type QuickActionProps } from './useQuickSubmit';

const FIELDS = ['subject', 'outcome', 'description', 'start_at'];
const LABELS: Record<string, string> = { description: 'Notes', start_at: 'When' };

/** "Log a call": a call that happened (status held), dated now unless changed. */
export function LogCallModal(props: QuickActionProps) {
  const { byName } = useMetadata();
  const call = byName('call');
  const { busy, errors, formError, submit } = useQuickSubmit(props);
  const [values, setValues] = useState<Record<string, unknown>>(() => ({ subject: `Call with ${props.recordName}`, outcome: 'reached', start_at: new Date().toISOString() }));
  const fields = FIELDS.map((n) => (call ? fieldOf(call, n) : undefined)).filter((f): f is FieldDef => !!f).map((f) => ({ ...f, label: LABELS[f.apiName] ?? f.label }));

  const save = () => submit(FIELDS, (key) => activitiesApi.log(props.object, props.id, 'call', { ...compact(values), status: 'held' }, key), 'Call logged');
  return (
    <QuickModal title="Log a call" opened={props.opened} onClose={props.onClose} busy={busy} formError={formError} submitLabel="Log call" onSubmit={() => void save()}>
      {fields.map((f) => (
        <FieldInput key={f.apiName} field={f} value={values[f.apiName]} error={errors[f.apiName]} onChange={(v) => setValues((s) => ({ ...s, [f.apiName]: v }))} />
      ))}
    </QuickModal>
  );
}
