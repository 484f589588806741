import { useState, type ComponentProps, type FormEvent } from 'react';
import { Alert, Button, Group, TextInput, Title } from '@mantine/core';
import { ApiError } from '../../api/client';
import { createRecord } from '../../api/records';
import type { FieldDef, RecordData } from '../../api/types';
import { LookupSelect } from '../../components/LookupSelect';
import { localeSettings } from '../../lib/format';
import { mapFormErrors } from '../../lib/formErrors';
import { ENTRY, tidy } from './entries';
import { parseDecimalInput } from './money';

interface Props {
  bookId: string;
  currency: string;
  fields: Record<string, FieldDef | undefined>;
  onAdded: (record: RecordData) => Promise<void>;
  onDenied: (message: string) => void;
}

const EMPTY = { product: null as string | null, product_spec: null as string | null, unit_of_measure: null as string | null, min_quantity: '', unit_price: '', valid_from: '', valid_to: '' };
type Draft = typeof EMPTY;
const SHOWN = Object.keys(EMPTY);

/**
 * The grid's add row: a product (its spec and unit), from what quantity, the price, and optionally
 * the dates; Enter or Add saves it, the server's reasons show by their field, and the form is ready
 * for the next price with the focus back on the product.
 */
export function AddEntryForm({ bookId, currency, fields, onAdded, onDenied }: Props) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The form is laid anew after an add (the lookups forget their search); its product takes the focus.
  const [generation, setGeneration] = useState(0);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const local: Record<string, string> = {};
    if (!draft.product) local.product = 'Choose a product';
    const price = parseDecimalInput(draft.unit_price, localeSettings().locale);
    if (price === null) local.unit_price = draft.unit_price.trim() ? 'Type a number, e.g. 12.50' : 'Type the price';
    const quantity = draft.min_quantity.trim() ? parseDecimalInput(draft.min_quantity, localeSettings().locale) : '0';
    if (quantity === null) local.min_quantity = 'Type a number, e.g. 10';
    setErrors(local);
    setSummary(null);
    if (Object.keys(local).length) return;
    const values: Record<string, unknown> = { price_book: bookId, product: draft.product, unit_price: price, min_quantity: quantity };
    for (const k of ['product_spec', 'unit_of_measure', 'valid_from', 'valid_to'] as const) if (draft[k]) values[k] = draft[k];
    setBusy(true);
    try {
      const created = await createRecord(ENTRY, values);
      await onAdded(created);
      setDraft(EMPTY);
      setGeneration((g) => g + 1);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) onDenied(error.message);
      const mapped = mapFormErrors(error, { fields: SHOWN });
      setErrors(Object.fromEntries(Object.entries(mapped.fields).map(([k, m]) => [k, tidy(m)])));
      setSummary(mapped.summary && tidy(mapped.summary));
    } finally {
      setBusy(false);
    }
  };

  const lookup = (key: 'product' | 'product_spec' | 'unit_of_measure', label: string, extra: Partial<ComponentProps<typeof LookupSelect>> = {}) =>
    fields[key] && (
      <div className={`price-add-${key}`}>
        <LookupSelect key={`${key}-${generation}`} field={fields[key]} label={label} value={draft[key]} error={errors[key]} onChange={(v) => set(key, v)} {...extra} />
      </div>
    );
  const text = (key: 'min_quantity' | 'unit_price' | 'valid_from' | 'valid_to', label: string, extra: Partial<ComponentProps<typeof TextInput>> = {}) => (
    <TextInput className={`price-add-${key}`} label={label} value={draft[key]} error={errors[key]} onChange={(e) => set(key, e.currentTarget.value)} {...extra} />
  );

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="price-add-title" className="price-add" noValidate>
      <Title order={3} size="h5" id="price-add-title" mb={4}>Add a price</Title>
      {summary && <Alert color="red" role="alert" mb="xs">{summary}</Alert>}
      <Group align="flex-start" gap="xs" wrap="wrap">
        {lookup('product', 'Product', { required: true, autoFocus: generation > 0 })}
        {lookup('product_spec', 'Spec', { disabled: !draft.product, filter: draft.product ? { field: 'product', op: 'eq', value: draft.product } : undefined, placeholder: draft.product ? 'Any spec' : 'Choose the product first', allowCreate: false })}
        {lookup('unit_of_measure', 'Unit', { placeholder: "Product's unit" })}
        {text('min_quantity', 'From quantity', { placeholder: '0', inputMode: 'decimal', w: 120 })}
        {text('unit_price', `Unit price (${currency})`, { required: true, inputMode: 'decimal', w: 150 })}
        {text('valid_from', 'Valid from', { type: 'date', w: 160 })}
        {text('valid_to', 'Valid to', { type: 'date', w: 160 })}
        <Button type="submit" loading={busy} mt={25}>Add</Button>
      </Group>
    </form>
  );
}
