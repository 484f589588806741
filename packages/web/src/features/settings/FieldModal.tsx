import { useState } from 'react';
import { Button, Checkbox, Group, Modal, NumberInput, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { FormModal, useReportDirty } from '../../components/FormModal';
import { notifications } from '@mantine/notifications';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';
import { metadataApi, useInvalidateMetadata, useMetadata, type NewField } from '../../api/metadata';
import { CREATABLE_FIELD_TYPES, type FieldDef, type FieldType, type ObjectDef } from '../../api/types';
import { FieldInput } from '../../components/FieldInput';
import { toApiName } from './AdminOnly';
import { PicklistEditor, valueKey, type EditableValue } from './PicklistEditor';

export const TYPE_LABELS: Record<FieldType, string> = {
  text: 'Text', long_text: 'Long text', email: 'E-mail', phone: 'Phone', url: 'URL', number: 'Number', currency: 'Currency', percent: 'Percent',
  boolean: 'Checkbox', date: 'Date', datetime: 'Date and time', picklist: 'Picklist', multi_picklist: 'Multi-select picklist', lookup: 'Lookup',
  user: 'User', autonumber: 'Auto number', id: 'ID',
};

/** Create a field of any type, or edit one (label, help, required, unique, default, picklist values). */
export function FieldModal({ object, field, opened, onClose }: { object: ObjectDef; field?: FieldDef; opened: boolean; onClose: () => void }) {
  return (
    <FormModal opened={opened} onClose={onClose} title={field ? `Edit field ${field.label}` : `New field on ${object.label}`} size="lg">
      {opened && <FieldForm object={object} field={field} onClose={onClose} />}
    </FormModal>
  );
}

function FieldForm({ object, field, onClose }: { object: ObjectDef; field?: FieldDef; onClose: () => void }) {
  const { objects } = useMetadata();
  const invalidate = useInvalidateMetadata();
  const [label, setLabel] = useState(field?.label ?? '');
  const [apiName, setApiName] = useState(field?.apiName ?? '');
  const [apiTouched, setApiTouched] = useState(!!field);
  const [type, setType] = useState<FieldType>(field?.type ?? 'text');
  const [required, setRequired] = useState(field?.required ?? false);
  const [unique, setUnique] = useState(field?.unique ?? false);
  const [helpText, setHelpText] = useState(field?.helpText ?? '');
  const [defaultValue, setDefaultValue] = useState<unknown>(field?.defaultValue ?? null);
  const [values, setValues] = useState<EditableValue[]>(() => (field?.picklist?.values ?? []).map((v) => ({ ...v, key: valueKey(), saved: true })));
  const [lookupObject, setLookupObject] = useState<string | null>(field?.lookup?.object ?? null);
  const [onDelete, setOnDelete] = useState<string>(field?.lookup?.onDelete ?? 'restrict');
  const [prefix, setPrefix] = useState(field?.autonumber?.prefix ?? '');
  const [digits, setDigits] = useState<number>(field?.autonumber?.digits ?? 6);

  useReportDirty(label !== (field?.label ?? '') || helpText !== (field?.helpText ?? '') || required !== (field?.required ?? false) || type !== (field?.type ?? 'text') || values.some((v) => !v.saved));
  const isPicklist = type === 'picklist' || type === 'multi_picklist';
  const canDefault = !['lookup', 'user', 'autonumber', 'id'].includes(type);
  const canUnique = !['boolean', 'long_text', 'multi_picklist', 'autonumber'].includes(type);

  const save = async () => {
    const input: NewField = { apiName, label, type, required, ...(canUnique ? { unique } : {}), ...(helpText ? { helpText } : {}) };
    if (isPicklist) input.picklist = { values: values.map((v) => ({ value: v.value, label: v.label, ...(v.saved ? { active: v.active !== false } : {}) })) };
    if (type === 'lookup') input.lookup = { object: lookupObject ?? '', onDelete };
    if (type === 'autonumber') (input as NewField & { autonumber: unknown }).autonumber = { prefix, digits };
    if (canDefault && defaultValue !== null && defaultValue !== '' && !(Array.isArray(defaultValue) && !defaultValue.length)) input.defaultValue = defaultValue;
    if (field) {
      const empty = defaultValue === null || defaultValue === '' || (Array.isArray(defaultValue) && !defaultValue.length);
      const patch: Partial<NewField> = { label, required, helpText: helpText || null };
      if (canUnique && !field.standard) patch.unique = unique;
      if (isPicklist) patch.picklist = input.picklist;
      if (canDefault && !(empty && (field.defaultValue === null || field.defaultValue === undefined))) patch.defaultValue = empty ? null : defaultValue;
      await metadataApi.updateField(object.apiName, field.apiName, patch);
    } else await metadataApi.createField(object.apiName, input);
  };
  const form = useApiForm({
    fields: ['apiName', 'label', 'picklist', 'lookup.object', 'lookup.onDelete', 'defaultValue', 'unique', 'helpText', 'autonumber.prefix', 'autonumber.digits'],
    fieldOf: (path) => (path.startsWith('picklist') ? 'picklist' : path),
    submit: save,
    onSuccess: async () => {
      await invalidate();
      notifications.show({ color: 'green', message: `Field ${label} ${field ? 'saved' : 'created'}` });
      onClose();
    },
  });
  const errors = form.errors;

  const previewField: FieldDef = {
    apiName: 'defaultValue', label: 'Default value', type, required: false, unique: false, defaultValue: null, helpText: null,
    picklist: isPicklist ? { values: values.filter((v) => v.value).map((v) => ({ value: v.value, label: v.label || v.value, active: v.active })) } : null,
    lookup: null, autonumber: null, standard: false, readOnly: false, searchable: false, externalId: false,
  };

  return (
    <form ref={form.formRef} onSubmit={(e) => { e.stopPropagation(); form.onSubmit(e); }} noValidate>
      <Stack>
        <FormSummary summary={form.summary} errors={errors} />
        <TextInput
          label="Label"
          required
          data-autofocus
          value={label}
          error={errors.label}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setLabel(v);
            if (!apiTouched) setApiName(toApiName(v));
          }}
        />
        <Group grow align="flex-start">
          <TextInput label="API name" required value={apiName} disabled={!!field} error={errors.apiName} onChange={(e) => { setApiTouched(true); setApiName(e.currentTarget.value); }} />
          <Select
            label="Type"
            data={CREATABLE_FIELD_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
            value={type}
            onChange={(v) => { if (v) { setType(v as FieldType); setDefaultValue(null); } }}
            disabled={!!field}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
        </Group>
        {isPicklist && <PicklistEditor values={values} onChange={setValues} error={errors.picklist} />}
        {type === 'lookup' && (
          <Group grow align="flex-start">
            <Select label="Points to" required data={objects.map((o) => ({ value: o.apiName, label: o.label }))} value={lookupObject} onChange={setLookupObject} disabled={!!field} error={errors['lookup.object']} searchable comboboxProps={{ withinPortal: true }} />
            <Select
              label="When the target is deleted"
              data={[{ value: 'restrict', label: 'Block the deletion' }, { value: 'clear', label: 'Clear this field' }, { value: 'cascade', label: 'Delete this record too' }]}
              value={onDelete}
              onChange={(v) => v && setOnDelete(v)}
              disabled={!!field}
              error={errors['lookup.onDelete']}
              allowDeselect={false}
              comboboxProps={{ withinPortal: true }}
            />
          </Group>
        )}
        {type === 'autonumber' && (
          <Group grow align="flex-start">
            <TextInput label="Prefix" value={prefix} onChange={(e) => setPrefix(e.currentTarget.value)} disabled={!!field} error={errors['autonumber.prefix']} placeholder="e.g. INV-" />
            <NumberInput label="Digits" min={1} max={12} value={digits} onChange={(v) => setDigits(Number(v) || 6)} disabled={!!field} error={errors['autonumber.digits']} />
          </Group>
        )}
        <Group>
          {type !== 'autonumber' && <Checkbox label="Required" checked={required} onChange={(e) => setRequired(e.currentTarget.checked)} />}
          {canUnique && !field?.standard && <Checkbox label="Unique" checked={unique} onChange={(e) => setUnique(e.currentTarget.checked)} error={errors.unique} />}
        </Group>
        {canDefault && <FieldInput field={previewField} value={defaultValue} onChange={setDefaultValue} error={errors.defaultValue} />}
        <Textarea label="Help text" value={helpText} onChange={(e) => setHelpText(e.currentTarget.value)} error={errors.helpText} autosize minRows={2} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={form.pending}>{field ? 'Save field' : 'Create field'}</Button>
        </Group>
      </Stack>
    </form>
  );
}
