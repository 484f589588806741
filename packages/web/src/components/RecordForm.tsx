import { useMemo, useRef, useState } from 'react';
import { Alert, Button, Group, List, Stack, Title } from '@mantine/core';
import { ApiError, errorMessage } from '../api/client';
import { isEditable } from '../api/metadata';
import { createRecord, getRecord, updateRecord } from '../api/records';
import type { DisplayMap, DuplicateCandidate, FieldDef, ObjectDef, RecordData } from '../api/types';
import { AnchorLink } from './links';
import { sectionsOf } from '../lib/sections';
import { ConflictDialog } from './ConflictDialog';
import { FieldInput } from './FieldInput';
import { UnsavedChangesGuard } from './UnsavedChangesGuard';
import { useFocusFirstInvalid } from '../lib/useApiForm';
import { useReportDirty } from './FormModal';

interface Props {
  object: ObjectDef;
  /** The record to edit; absent for a new one. */
  record?: RecordData;
  display?: DisplayMap;
  /** Initial values for a new record (e.g. the parent of a related list). */
  defaults?: Record<string, unknown>;
  onSaved: (record: RecordData) => void;
  onCancel?: () => void;
  /** Ask before navigating away with unsaved changes (default on). */
  guard?: boolean;
}

const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const same = (a: unknown, b: unknown) => (empty(a) && empty(b)) || JSON.stringify(a) === JSON.stringify(b);

function initialValues(object: ObjectDef, record?: RecordData, defaults?: Record<string, unknown>) {
  const v: Record<string, unknown> = {};
  for (const f of object.fields) {
    if (record) v[f.apiName] = record[f.apiName] ?? null;
    else v[f.apiName] = defaults?.[f.apiName] ?? (f.defaultValue ?? (f.type === 'boolean' ? false : null));
  }
  return v;
}

/**
 * Create/edit form built from metadata. Server field errors land at their field; errors with no
 * (known) field land at the top; a stale version opens the reload/overwrite dialog.
 */
export function RecordForm({ object, record, display, defaults, onSaved, onCancel, guard = true }: Props) {
  const [base, setBase] = useState<RecordData | undefined>(record);
  const [values, setValues] = useState(() => initialValues(object, record, defaults));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [duplicate, setDuplicate] = useState<{ message: string; candidates: DuplicateCandidate[] } | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusals, setRefusals] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, refusals);
  const idempotencyKey = useRef(crypto.randomUUID());
  const sections = useMemo(() => sectionsOf(object), [object]);
  const editable = (f: FieldDef) => isEditable(f);

  const initial = useMemo(() => initialValues(object, base, defaults), [object, base, defaults]);
  const changed = Object.keys(values).filter((k) => !same(values[k], initial[k]));
  const dirty = changed.length > 0;
  useReportDirty(dirty);

  const payload = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const f of object.fields) {
      if (!editable(f)) continue;
      const v = values[f.apiName];
      if (base) {
        if (changed.includes(f.apiName)) out[f.apiName] = empty(v) ? null : v;
      } else if (!empty(v) || (f.type === 'boolean' && v !== undefined)) out[f.apiName] = v;
    }
    return out;
  };

  const showError = (error: unknown) => {
    if (error instanceof ApiError && (error.code === 'validation_failed' || error.code === 'rule_violation' || error.code === 'unique_violation')) {
      const fe: Record<string, string> = {};
      const top: string[] = [];
      for (const e of error.fieldErrors()) {
        const f = object.fields.find((x) => x.apiName === e.field);
        if (f && editable(f)) fe[e.field] = e.message;
        else top.push(e.field ? `${f?.label ?? e.field}: ${e.message}` : e.message);
      }
      if (!Object.keys(fe).length && !top.length) top.push(error.message);
      setFieldErrors(fe);
      setFormErrors(top);
      setRefusals((n) => n + 1);
      return;
    }
    if (error instanceof ApiError && error.code === 'version_conflict') {
      setConflict(error.message);
      return;
    }
    if (error instanceof ApiError && error.code === 'duplicate') {
      setFieldErrors({});
      setDuplicate({ message: error.message, candidates: error.problem.candidates ?? [] });
      return;
    }
    setFieldErrors({});
    setFormErrors([errorMessage(error)]);
  };

  const save = async (options: { allowDuplicate?: boolean; version?: number } = {}) => {
    setBusy(true);
    setFormErrors([]);
    setFieldErrors({});
    setDuplicate(null);
    try {
      const saved = base
        ? await updateRecord(object.apiName, base.id, payload(), options.version ?? base.version, { allowDuplicate: options.allowDuplicate })
        : await createRecord(object.apiName, payload(), { allowDuplicate: options.allowDuplicate, idempotencyKey: idempotencyKey.current });
      setBase(saved);
      setValues(initialValues(object, saved));
      onSaved(saved);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    if (!base) return;
    setBusy(true);
    try {
      const latest = await getRecord(object.apiName, base.id);
      setBase(latest);
      setValues(initialValues(object, latest));
      setConflict(null);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const overwrite = async () => {
    if (!base) return;
    setBusy(true);
    try {
      const latest = await getRecord(object.apiName, base.id);
      setConflict(null);
      await save({ version: latest.version });
    } catch (error) {
      showError(error);
      setBusy(false);
    }
  };

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    e.stopPropagation();
    void save();
  };
  const markedLabels = object.fields.filter((f) => fieldErrors[f.apiName]).map((f) => f.label);

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={`${base ? 'Edit' : 'New'} ${object.label.toLowerCase()}`}>
      {guard && <UnsavedChangesGuard when={dirty && !busy} />}
      <Stack>
        {(formErrors.length > 0 || markedLabels.length > 0) && (
          <Alert color="red" title="The record was not saved" role="alert" tabIndex={-1} data-form-summary>
            {formErrors.length === 1 && !markedLabels.length ? formErrors[0] : (
              <List size="sm">
                {formErrors.map((m) => <List.Item key={m}>{m}</List.Item>)}
                {markedLabels.length > 0 && <List.Item>Fix {markedLabels.length === 1 ? 'the marked field' : 'the marked fields'}: {markedLabels.join(', ')}</List.Item>}
              </List>
            )}
          </Alert>
        )}
        {duplicate && (
          <Alert color="yellow" title="Possible duplicate" role="alert">
            {duplicate.message}
            {duplicate.candidates.length > 0 && (
              <List size="sm" mt="xs" aria-label="Possible duplicates">
                {duplicate.candidates.map((c) => (
                  <List.Item key={c.id}>
                    {c.name === null ? 'A record you cannot see' : (
                      <AnchorLink to="/o/$object/$id" params={{ object: object.apiName, id: c.id }} search={{ tab: undefined }} target="_blank">{c.name}</AnchorLink>
                    )}{' '}
                    ({c.rule.replace(/_/g, ' ')}, {Math.round(c.score * 100)}%)
                  </List.Item>
                ))}
              </List>
            )}
            <Group mt="xs">
              <Button size="xs" variant="default" onClick={() => void save({ allowDuplicate: true })}>Save anyway</Button>
              {base && object.mergeable && duplicate.candidates.some((c) => c.name !== null) && (
                <AnchorLink size="sm" to="/merge/$object" params={{ object: object.apiName }} search={{ ids: [base.id, ...duplicate.candidates.filter((c) => c.name !== null).map((c) => c.id)].join(',') }}>Merge instead</AnchorLink>
              )}
            </Group>
          </Alert>
        )}
        {sections.map((s) => {
          const fields = s.fields.filter((f) => editable(f));
          if (!fields.length) return null;
          return (
            <section key={s.title} aria-label={s.title}>
              <Title order={3} size="h5" mb="xs">{s.title}</Title>
              <div className="field-grid">
                {fields.map((f) => (
                  <div key={f.apiName} style={f.type === 'long_text' ? { gridColumn: '1 / -1' } : undefined}>
                    <FieldInput
                      field={f}
                      value={values[f.apiName]}
                      record={values}
                      display={display}
                      error={fieldErrors[f.apiName]}
                      onChange={(v) => {
                        setValues((old) => ({ ...old, [f.apiName]: v }));
                        if (fieldErrors[f.apiName]) setFieldErrors((fe) => ({ ...fe, [f.apiName]: '' }));
                      }}
                    />
                  </div>
                ))}
              </div>
            </section>
          );
        })}
        <Group justify="flex-end">
          {onCancel && <Button variant="default" onClick={onCancel} disabled={busy}>Cancel</Button>}
          <Button type="submit" loading={busy}>Save</Button>
        </Group>
      </Stack>
      <ConflictDialog opened={conflict !== null} message={conflict ?? ''} onReload={() => void reload()} onOverwrite={() => void overwrite()} onClose={() => setConflict(null)} busy={busy} />
    </form>
  );
}
