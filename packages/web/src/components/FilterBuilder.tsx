import { useEffect, useMemo, useState } from 'react';
import { ActionIcon, Button, Group, MultiSelect, NumberInput, SegmentedControl, Select, Stack, TagsInput, Text, TextInput, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { CALENDAR_LABELS } from './FieldInput';
import { activeValues, useMetadata } from '../api/metadata';
import type { Condition, FieldDef, ObjectDef, Operator } from '../api/types';
import { conditionToGroup, filterableFields, groupToCondition, newKey, OPERATORS_BY_TYPE, operatorLabel, RELATIVE_DATES, type Rule, type RuleGroup } from '../lib/conditions';
import { LookupSelect } from './LookupSelect';

interface Props {
  object: ObjectDef;
  value: Condition | null;
  onChange: (c: Condition | null) => void;
  /** Accessible name of the builder ("Filter", "Rule condition"). */
  label?: string;
}

/**
 * Edits a condition of the query language: a list of leaves joined by all/any, each a field
 * (own or one lookup away), an operator allowed for its type and a typed value (with relative
 * dates). A condition too deep for the list is edited as JSON.
 */
export function FilterBuilder({ object, value, onChange, label = 'Filter' }: Props) {
  const { byName } = useMetadata();
  const fields = useMemo(() => filterableFields(object, byName), [object, byName]);
  const [group, setGroup] = useState<RuleGroup | null>(() => conditionToGroup(value));
  const [json, setJson] = useState(() => (value ? JSON.stringify(value, null, 2) : ''));
  const [jsonError, setJsonError] = useState<string | null>(null);

  // A new value from outside (a saved view chosen) resets the editor.
  const external = JSON.stringify(value ?? null);
  const [lastEmitted, setLastEmitted] = useState(external);
  useEffect(() => {
    if (external !== lastEmitted) {
      setGroup(conditionToGroup(value));
      setJson(value ? JSON.stringify(value, null, 2) : '');
      setLastEmitted(external);
    }
  }, [external]); // eslint-disable-line react-hooks/exhaustive-deps

  const update = (g: RuleGroup) => {
    setGroup(g);
    const c = groupToCondition(g);
    setLastEmitted(JSON.stringify(c ?? null));
    onChange(c);
  };

  if (!group) {
    return (
      <Stack gap="xs" role="group" aria-label={label}>
        <Textarea
          label="Condition (JSON)"
          description="This condition is nested deeper than the builder shows; edit it as JSON."
          autosize
          minRows={4}
          value={json}
          error={jsonError}
          onChange={(e) => {
            const text = e.currentTarget.value;
            setJson(text);
            try {
              const parsed = text.trim() ? (JSON.parse(text) as Condition) : null;
              setJsonError(null);
              setLastEmitted(JSON.stringify(parsed));
              onChange(parsed);
            } catch {
              setJsonError('Not valid JSON');
            }
          }}
        />
        <Button variant="subtle" size="xs" onClick={() => update({ combinator: 'and', rules: [] })} w="fit-content">Start over with the builder</Button>
      </Stack>
    );
  }

  const fieldOptions = groupBy(fields);
  const setRule = (key: string, patch: Partial<Rule>) => update({ ...group, rules: group.rules.map((r) => (r.key === key ? { ...r, ...patch } : r)) });

  return (
    <Stack gap="xs" role="group" aria-label={label}>
      {group.rules.length > 1 && (
        <Group gap="xs">
          <Text size="sm" id={`${label}-match`}>Match</Text>
          <SegmentedControl
            size="xs"
            aria-labelledby={`${label}-match`}
            value={group.combinator}
            onChange={(v) => update({ ...group, combinator: v as 'and' | 'or' })}
            data={[{ value: 'and', label: 'all conditions' }, { value: 'or', label: 'any condition' }]}
          />
        </Group>
      )}
      {group.rules.length === 0 && <Text size="sm" c="dimmed">No conditions: every record matches.</Text>}
      {group.rules.map((rule, i) => {
        const pf = fields.find((f) => f.path === rule.field);
        const ops = pf ? OPERATORS_BY_TYPE[pf.field.type] : [];
        return (
          <Group key={rule.key} gap="xs" align="flex-start" wrap="wrap" data-testid="filter-rule">
            <Select
              aria-label={`Field of condition ${i + 1}`}
              placeholder="Field"
              data={fieldOptions}
              value={rule.field || null}
              searchable
              onChange={(v) => {
                const f = fields.find((x) => x.path === v);
                const op = f ? OPERATORS_BY_TYPE[f.field.type][0]! : 'eq';
                setRule(rule.key, { field: v ?? '', op, value: f?.field.type === 'boolean' ? true : undefined });
              }}
              w={{ base: '100%', xs: 220 }}
              comboboxProps={{ withinPortal: true }}
            />
            <Select
              aria-label={`Operator of condition ${i + 1}`}
              data={ops.map((op) => ({ value: op, label: operatorLabel(pf!.field.type, op) }))}
              value={rule.op}
              onChange={(v) => v && setRule(rule.key, { op: v as Operator, value: v === 'isNull' ? true : sameShape(rule.op, v as Operator) ? rule.value : undefined })}
              disabled={!pf}
              w={{ base: '100%', xs: 150 }}
              allowDeselect={false}
              comboboxProps={{ withinPortal: true }}
            />
            {pf && <ValueInput field={pf.field} op={rule.op} value={rule.value} onChange={(v) => setRule(rule.key, { value: v })} label={`Value of condition ${i + 1}`} />}
            <ActionIcon variant="subtle" color="red" size="input-sm" aria-label={`Remove condition ${i + 1}`} onClick={() => update({ ...group, rules: group.rules.filter((r) => r.key !== rule.key) })}>
              ×
            </ActionIcon>
          </Group>
        );
      })}
      <Button variant="light" size="xs" w="fit-content" onClick={() => update({ ...group, rules: [...group.rules, { key: newKey(), field: '', op: 'eq', value: undefined }] })}>
        Add condition
      </Button>
    </Stack>
  );
}

function sameShape(a: Operator, b: Operator) {
  const shape = (o: Operator) => (o === 'between' ? 'range' : o === 'in' || o === 'nin' ? 'list' : o === 'isNull' ? 'none' : 'one');
  return shape(a) === shape(b);
}

function groupBy(fields: ReturnType<typeof filterableFields>) {
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const f of fields) groups.set(f.group, [...(groups.get(f.group) ?? []), { value: f.path, label: f.label }]);
  return [...groups].map(([group, items]) => ({ group, items }));
}

function ValueInput({ field, op, value, onChange, label }: { field: FieldDef; op: Operator; value: unknown; onChange: (v: unknown) => void; label: string }) {
  const w = { base: '100%', xs: 220 };
  if (op === 'isNull') {
    return (
      <Select aria-label={label} w={w} data={[{ value: 'true', label: 'yes' }, { value: 'false', label: 'no (has a value)' }]} value={value === false ? 'false' : 'true'} onChange={(v) => onChange(v !== 'false')} allowDeselect={false} comboboxProps={{ withinPortal: true }} />
    );
  }
  const t = field.type;
  if (op === 'between') {
    const pair = Array.isArray(value) ? (value as unknown[]) : [null, null];
    const one = (i: number) => (v: unknown) => onChange(i === 0 ? [v, pair[1] ?? null] : [pair[0] ?? null, v]);
    return (
      <Group gap={4} wrap="nowrap">
        <ScalarInput field={field} value={pair[0]} onChange={one(0)} label={`${label} (from)`} />
        <Text size="sm">and</Text>
        <ScalarInput field={field} value={pair[1]} onChange={one(1)} label={`${label} (to)`} />
      </Group>
    );
  }
  if (op === 'in' || op === 'nin') {
    const arr = Array.isArray(value) ? (value as unknown[]).map(String) : [];
    if (t === 'picklist' || t === 'multi_picklist') {
      return <MultiSelect aria-label={label} w={w} data={activeValues(field).map((v) => ({ value: v.value, label: v.label }))} value={arr} onChange={onChange} comboboxProps={{ withinPortal: true }} />;
    }
    const numeric = t === 'number' || t === 'currency' || t === 'percent';
    return <TagsInput aria-label={label} w={w} value={arr} onChange={(v) => onChange(numeric ? v.map(Number).filter((x) => !Number.isNaN(x)) : v)} placeholder="Type and press Enter" />;
  }
  if (t === 'multi_picklist' && op === 'contains') {
    return <Select aria-label={label} w={w} data={activeValues(field).map((v) => ({ value: v.value, label: v.label }))} value={typeof value === 'string' ? value : null} onChange={onChange} comboboxProps={{ withinPortal: true }} />;
  }
  if (t === 'multi_picklist') {
    return <MultiSelect aria-label={label} w={w} data={activeValues(field).map((v) => ({ value: v.value, label: v.label }))} value={Array.isArray(value) ? (value as string[]) : []} onChange={onChange} comboboxProps={{ withinPortal: true }} />;
  }
  if (t === 'date' || t === 'datetime') return <DateValueInput value={value} onChange={onChange} label={label} />;
  return <ScalarInput field={field} value={value} onChange={onChange} label={label} />;
}

function ScalarInput({ field, value, onChange, label }: { field: FieldDef; value: unknown; onChange: (v: unknown) => void; label: string }) {
  const w = { base: '100%', xs: 180 };
  switch (field.type) {
    case 'number':
    case 'currency':
    case 'percent':
      return <NumberInput aria-label={label} w={w} value={typeof value === 'number' ? value : ''} onChange={(v) => onChange(v === '' ? undefined : Number(v))} hideControls />;
    case 'boolean':
      return <Select aria-label={label} w={w} data={[{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]} value={value === false ? 'false' : 'true'} onChange={(v) => onChange(v === 'true')} allowDeselect={false} comboboxProps={{ withinPortal: true }} />;
    case 'date':
    case 'datetime':
      return <DateInput aria-label={label} w={w} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ? String(v).slice(0, 10) : undefined)} valueFormat="YYYY-MM-DD" placeholder="YYYY-MM-DD" popoverProps={{ withinPortal: true }} ariaLabels={CALENDAR_LABELS} />;
    case 'picklist':
      return <Select aria-label={label} w={w} data={activeValues(field).map((v) => ({ value: v.value, label: v.label }))} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ?? undefined)} searchable comboboxProps={{ withinPortal: true }} />;
    case 'lookup':
    case 'user':
      return (
        <div style={{ minWidth: 220 }}>
          <LookupSelect aria-label={label} field={{ ...field, required: false }} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ?? undefined)} />
        </div>
      );
    default:
      return <TextInput aria-label={label} w={w} value={typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}

/** A date, or a relative period ({relative: "this_month"}, "last_n_days:30"). */
function DateValueInput({ value, onChange, label }: { value: unknown; onChange: (v: unknown) => void; label: string }) {
  const rel = value && typeof value === 'object' && 'relative' in (value as object) ? String((value as { relative: string }).relative) : null;
  const [base, nRaw] = rel ? rel.split(':') : [];
  const mode = rel ? (base === 'last_n_days' || base === 'next_n_days' ? base : rel) : 'date';
  const n = Number(nRaw ?? 30);
  return (
    <Group gap={4} wrap="nowrap">
      <Select
        aria-label={`${label}: kind of date`}
        w={150}
        data={[{ value: 'date', label: 'A date' }, ...RELATIVE_DATES]}
        value={mode}
        allowDeselect={false}
        onChange={(v) => {
          if (!v || v === 'date') onChange(undefined);
          else if (v === 'last_n_days' || v === 'next_n_days') onChange({ relative: `${v}:${n || 30}` });
          else onChange({ relative: v });
        }}
        comboboxProps={{ withinPortal: true }}
      />
      {mode === 'date' && (
        <DateInput aria-label={label} w={150} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ? String(v).slice(0, 10) : undefined)} valueFormat="YYYY-MM-DD" placeholder="YYYY-MM-DD" popoverProps={{ withinPortal: true }} ariaLabels={CALENDAR_LABELS} />
      )}
      {(mode === 'last_n_days' || mode === 'next_n_days') && (
        <NumberInput aria-label={`${label}: number of days`} w={90} min={1} max={3650} value={n} onChange={(v) => onChange({ relative: `${mode}:${Math.max(1, Math.min(3650, Number(v) || 1))}` })} />
      )}
    </Group>
  );
}
