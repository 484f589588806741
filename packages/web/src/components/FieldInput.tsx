import { Checkbox, MultiSelect, NumberInput, Select, Text, TextInput, Textarea } from '@mantine/core';
import { DateInput, DateTimePicker, type CalendarAriaLabels } from '@mantine/dates';
import type { DisplayMap, FieldDef } from '../api/types';
import { activeValues } from '../api/metadata';
import { localeSettings, recordCurrency } from '../lib/format';
import { isoToWall, wallToIso } from '../lib/tz';
import { LookupSelect } from './LookupSelect';

/** Names for the calendar's buttons (Mantine leaves the arrows unnamed). */
export const CALENDAR_LABELS: CalendarAriaLabels = {
  monthLevelControl: 'Choose the month', yearLevelControl: 'Choose the year',
  previousMonth: 'Previous month', nextMonth: 'Next month', previousYear: 'Previous year', nextYear: 'Next year', previousDecade: 'Previous decade', nextDecade: 'Next decade',
};

export interface FieldInputProps {
  field: FieldDef;
  value: unknown;
  onChange: (value: unknown) => void;
  error?: string;
  /** The record being edited (currency code, lookup names). */
  record?: Record<string, unknown>;
  display?: DisplayMap;
  /** Inline edit in a table cell: no visible label. */
  compact?: boolean;
  autoFocus?: boolean;
  onBlur?: () => void;
  onKeyDown?: (e: React.KeyboardEvent) => void;
}

/** Parses what a person types into a date input: ISO first, then the browser's own parser. */
function parseDate(input: string): string | null {
  const s = input.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return null;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The right input for each field type, from metadata. */
export function FieldInput({ field, value, onChange, error, record, display, compact, autoFocus, onBlur, onKeyDown }: FieldInputProps) {
  const common = {
    label: compact ? undefined : field.label,
    'aria-label': compact ? field.label : undefined,
    description: compact ? undefined : field.helpText ?? undefined,
    required: field.required,
    error,
    autoFocus,
    onBlur,
    onKeyDown,
    name: field.apiName,
    'data-field': field.apiName,
  };
  const str = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);

  switch (field.type) {
    case 'long_text':
      return <Textarea {...common} autosize minRows={compact ? 1 : 3} maxRows={12} value={str} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'email':
      return <TextInput {...common} type="email" value={str} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'phone':
      return <TextInput {...common} type="tel" value={str} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'url':
      return <TextInput {...common} type="url" value={str} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'number':
    case 'currency':
    case 'percent': {
      const currency = recordCurrency(record);
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(v === '' || v === null ? null : typeof v === 'number' ? v : Number(v))}
          decimalScale={field.type === 'number' ? undefined : 2}
          thousandSeparator={compact ? undefined : ' '}
          leftSection={field.type === 'currency' ? <Text size="xs" c="dimmed" aria-hidden>{currency}</Text> : undefined}
          rightSection={field.type === 'percent' ? <Text size="xs" c="dimmed" aria-hidden>%</Text> : undefined}
          hideControls
          inputMode="decimal"
        />
      );
    }
    case 'boolean':
      return (
        <Checkbox
          label={compact ? undefined : field.label}
          aria-label={compact ? field.label : undefined}
          description={compact ? undefined : field.helpText ?? undefined}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          error={error}
          autoFocus={autoFocus}
          onBlur={onBlur}
          onKeyDown={onKeyDown}
          name={field.apiName}
          mt={compact ? 0 : 'md'}
        />
      );
    case 'date':
      return (
        <DateInput
          {...common}
          value={str || null}
          onChange={(v) => onChange(v ? String(v).slice(0, 10) : null)}
          valueFormat="YYYY-MM-DD"
          dateParser={parseDate}
          clearable={!field.required}
          placeholder="YYYY-MM-DD"
          popoverProps={{ withinPortal: true }}
          ariaLabels={CALENDAR_LABELS}
        />
      );
    case 'datetime': {
      const tz = localeSettings().timeZone;
      return (
        <DateTimePicker
          {...common}
          value={str ? isoToWall(str, tz) : null}
          onChange={(v) => onChange(v ? wallToIso(String(v), tz) : null)}
          valueFormat="YYYY-MM-DD HH:mm"
          clearable={!field.required}
          placeholder="YYYY-MM-DD HH:mm"
          popoverProps={{ withinPortal: true }}
          ariaLabels={CALENDAR_LABELS}
        />
      );
    }
    case 'picklist': {
      const options = activeValues(field).map((v) => ({ value: v.value, label: v.label }));
      if (str && !options.some((o) => o.value === str)) {
        const old = field.picklist?.values.find((v) => v.value === str);
        options.push({ value: str, label: `${old?.label ?? str} (inactive)` });
      }
      return <Select {...common} data={options} value={str || null} onChange={(v) => onChange(v)} clearable={!field.required} allowDeselect={!field.required} searchable={options.length > 8} comboboxProps={{ withinPortal: true }} />;
    }
    case 'multi_picklist': {
      const arr = Array.isArray(value) ? (value as string[]) : [];
      const options = activeValues(field).map((v) => ({ value: v.value, label: v.label }));
      for (const v of arr) if (!options.some((o) => o.value === v)) options.push({ value: v, label: `${v} (inactive)` });
      return <MultiSelect {...common} data={options} value={arr} onChange={(v) => onChange(v)} clearable searchable comboboxProps={{ withinPortal: true }} />;
    }
    case 'lookup':
    case 'user':
      return <LookupSelect {...common} field={field} value={str || null} onChange={onChange} display={display} />;
    case 'autonumber':
    case 'id':
      return <TextInput {...common} value={str} readOnly disabled />;
    default:
      return <TextInput {...common} value={str} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}
