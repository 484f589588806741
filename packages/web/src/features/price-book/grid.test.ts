import { describe, expect, test } from 'vitest';
import type { RecordData } from '../../api/types';
import { copyText, pastedValue } from './cells';
import { afterSave, cellIntent, countText, entryRows, gridColumns, isTypedEditor, matchesSearch, navigate, pasteTargets } from './grid';
import { adjustByPercent, decimalText, fixedText, isNegative, parseDecimalInput } from './money';

describe('price grid navigation', () => {
  const size = { rows: 3, cols: 11 };

  test('arrows move one cell and stop at the edges; Home/End go to the row’s ends, with Ctrl to the grid’s', () => {
    expect(navigate({ row: 1, col: 4 }, 'ArrowDown', size)).toEqual({ row: 2, col: 4 });
    expect(navigate({ row: 2, col: 4 }, 'ArrowDown', size)).toEqual({ row: 2, col: 4 });
    expect(navigate({ row: 0, col: 0 }, 'ArrowUp', size)).toEqual({ row: 0, col: 0 });
    expect(navigate({ row: 0, col: 0 }, 'ArrowLeft', size)).toEqual({ row: 0, col: 0 });
    expect(navigate({ row: 0, col: 10 }, 'ArrowRight', size)).toEqual({ row: 0, col: 10 });
    expect(navigate({ row: 1, col: 4 }, 'Home', size)).toEqual({ row: 1, col: 0 });
    expect(navigate({ row: 1, col: 4 }, 'End', size)).toEqual({ row: 1, col: 10 });
    expect(navigate({ row: 1, col: 4 }, 'End', size, true)).toEqual({ row: 2, col: 10 });
    expect(navigate({ row: 1, col: 4 }, 'Home', size, true)).toEqual({ row: 0, col: 0 });
    expect(navigate({ row: 1, col: 4 }, 'PageDown', size)).toEqual({ row: 2, col: 4 });
    expect(navigate({ row: 1, col: 4 }, 'a', size)).toBeNull();
  });

  test('after a save Enter goes down, Tab to the next editable cell, wrapping to the next row', () => {
    const cols = gridColumns(false);
    const editable = (c: number) => isTypedEditor(cols[c]!);
    const price = cols.findIndex((c) => c.key === 'unit_price');
    const validTo = cols.findIndex((c) => c.key === 'valid_to');
    const product = cols.findIndex((c) => c.key === 'product');
    expect(afterSave({ row: 0, col: price }, 'down', size, editable)).toEqual({ row: 1, col: price });
    expect(afterSave({ row: 2, col: price }, 'down', size, editable)).toEqual({ row: 2, col: price });
    expect(afterSave({ row: 0, col: price }, 'up', size, editable)).toEqual({ row: 0, col: price });
    expect(afterSave({ row: 0, col: price }, 'right', size, editable)).toEqual({ row: 0, col: price + 1 });
    // Past Valid to come Active (a toggle) and Remove: the next row's product.
    expect(afterSave({ row: 0, col: validTo }, 'right', size, editable)).toEqual({ row: 1, col: product });
    expect(afterSave({ row: 1, col: product }, 'left', size, editable)).toEqual({ row: 0, col: validTo });
    expect(afterSave({ row: 2, col: validTo }, 'right', size, editable)).toEqual({ row: 2, col: validTo });
    expect(afterSave({ row: 1, col: 3 }, 'stay', size, editable)).toEqual({ row: 1, col: 3 });
  });

  test('a read-only grid has neither selection nor remove columns', () => {
    expect(gridColumns(true).map((c) => c.key)).toEqual(['product', 'product_spec', 'unit_of_measure', 'min_quantity', 'unit_price', 'currency', 'valid_from', 'valid_to', 'active']);
  });

  test('a pasted block fills down and across from the focused cell, within the grid', () => {
    expect(pasteTargets('12.50\r\n13\r\n', { row: 1, col: 5 }, size)).toEqual([{ row: 1, col: 5, text: '12.50' }, { row: 2, col: 5, text: '13' }]);
    expect(pasteTargets('1\t2\n3\t4\n5\t6', { row: 1, col: 9 }, size)).toEqual([
      { row: 1, col: 9, text: '1' }, { row: 1, col: 10, text: '2' }, { row: 2, col: 9, text: '3' }, { row: 2, col: 10, text: '4' },
    ]);
  });

  test('pasted text becomes what each column takes', () => {
    const col = (key: string) => gridColumns(false).find((c) => c.key === key)!;
    expect(pastedValue(col('unit_price'), '$1,250.00', 'en-US')).toEqual({ value: '1250.00' });
    expect(pastedValue(col('unit_price'), '1.250,5 €', 'de-DE')).toEqual({ value: '1250.5' });
    expect(pastedValue(col('unit_price'), 'soon', 'en-US')).toBe('invalid');
    expect(pastedValue(col('min_quantity'), '', 'en-US')).toEqual({ value: null });
    expect(pastedValue(col('valid_from'), '2027-01-01', 'en-US')).toEqual({ value: '2027-01-01' });
    expect(pastedValue(col('valid_from'), '1/1/2027', 'en-US')).toBe('invalid');
    expect(pastedValue(col('currency'), 'eur', 'en-US')).toEqual({ value: 'EUR' });
    expect(pastedValue(col('active'), 'No', 'en-US')).toEqual({ value: false });
    expect(pastedValue(col('product'), 'Generator', 'en-US')).toBe('skip');
    expect(pastedValue(col('select'), 'x', 'en-US')).toBe('skip');
  });

  test('keys on a focused cell: Enter and F2 edit, a character starts typing, Delete empties', () => {
    expect(cellIntent({ key: 'Enter' })).toBe('edit');
    expect(cellIntent({ key: 'F2' })).toBe('edit');
    expect(cellIntent({ key: '7' })).toBe('type');
    expect(cellIntent({ key: 'g' })).toBe('type');
    expect(cellIntent({ key: 'c', ctrlKey: true })).toBeNull();
    expect(cellIntent({ key: ' ' })).toBeNull();
    expect(cellIntent({ key: 'Delete' })).toBe('clear');
    expect(cellIntent({ key: 'Shift' })).toBeNull();
  });
});

describe('price grid rows', () => {
  const display = {
    product: { p1: 'Generator 20 kW', p2: 'Commissioning', p3: 'generator 5 kW' },
    product_spec: { s1: 'Large', s2: 'Compact' },
    unit_of_measure: { u1: 'Each', u2: 'Hour' },
  };
  const entry = (id: string, values: Partial<RecordData>): RecordData => ({ id, version: 1, name: `${id}-name`, ...values });
  const rows = entryRows([
    entry('a', { product: 'p1', product_spec: 's1', unit_of_measure: 'u1', min_quantity: 10 }),
    entry('b', { product: 'p1', product_spec: 's1', unit_of_measure: 'u1', min_quantity: 0 }),
    entry('c', { product: 'p1', product_spec: null, unit_of_measure: 'u2', min_quantity: 0 }),
    entry('d', { product: 'p2', unit_of_measure: 'u2', min_quantity: 0, name: 'SVC-COMM per h (USD)' }),
    entry('e', { product: 'p1', product_spec: 's2', unit_of_measure: 'u1', min_quantity: 0 }),
    entry('f', { product: 'p3', unit_of_measure: 'u1', min_quantity: 0 }),
  ], display);

  test('sorted by product name (numbers in order, case aside), then spec (none first), unit and from-quantity', () => {
    expect(rows.map((r) => r.record.id)).toEqual(['d', 'f', 'c', 'e', 'b', 'a']);
    expect(rows.find((r) => r.record.id === 'a')!.label).toBe('Generator 20 kW / Large, per Each from 10');
  });

  test('the search matches every word in product, spec or the entry name (product code)', () => {
    const ids = (q: string) => rows.filter((r) => matchesSearch(r, q)).map((r) => r.record.id);
    expect(ids('gen large')).toEqual(['b', 'a']);
    expect(ids('svc-comm')).toEqual(['d']);
    expect(ids('')).toHaveLength(6);
    expect(ids('nothing')).toEqual([]);
  });

  test('a copied cell is plain text a spreadsheet reads', () => {
    const col = (key: string) => gridColumns(false).find((c) => c.key === key)!;
    const row = { ...rows[0]!, record: { ...rows[0]!.record, unit_price: 8400, valid_from: '2027-01-01' } };
    expect(copyText(col('unit_price'), row, 'USD', 2)).toBe('8400.00');
    expect(copyText(col('min_quantity'), row, 'USD', 2)).toBe('0');
    expect(copyText(col('valid_from'), row, 'USD', 2)).toBe('2027-01-01');
    expect(copyText(col('product'), row, 'USD', 2)).toBe('Commissioning');
  });

  test('the count says how many are shown of how many', () => {
    expect(countText(42, 42)).toBe('42 entries');
    expect(countText(1, 1)).toBe('1 entry');
    expect(countText(3, 42)).toBe('3 of 42 entries');
  });
});

describe('price money text', () => {
  test('a percentage change is exact and rounded to the minor unit', () => {
    expect(adjustByPercent(19.99, '10', 2)).toBe('21.99'); // 21.989
    expect(adjustByPercent('100', '+5', 2)).toBe('105.00');
    expect(adjustByPercent(8400, '10', 2)).toBe('9240.00');
    expect(adjustByPercent('2.50', '-12.5', 2)).toBe('2.19'); // 2.1875
    expect(adjustByPercent('1.15', '10', 2)).toBe('1.27'); // 1.265: ties away from zero
    expect(adjustByPercent('1.15', '10', 2, 'half_even')).toBe('1.26');
    expect(adjustByPercent('1.25', '10', 2, 'half_even')).toBe('1.38'); // 1.375 → even 8
    expect(adjustByPercent(1234, '3', 0)).toBe('1271'); // JPY: 1271.02
    expect(adjustByPercent('1.250', '7', 3)).toBe('1.338'); // KWD: 1.3375
    expect(adjustByPercent('10', '-150', 2)).toBe('-5.00');
    expect(adjustByPercent('10', 'abc', 2)).toBeNull();
    expect(isNegative('-5.00')).toBe(true);
    expect(isNegative('-0.00')).toBe(false);
  });

  test('typed amounts are read in the user’s locale', () => {
    expect(parseDecimalInput('1,250.50', 'en-US')).toBe('1250.50');
    expect(parseDecimalInput('1,250', 'en-US')).toBe('1250');
    expect(parseDecimalInput('12.5', 'en-US')).toBe('12.5');
    expect(parseDecimalInput(' 12,5 ', 'en-US')).toBe('12.5');
    expect(parseDecimalInput('1.250,50', 'de-DE')).toBe('1250.50');
    expect(parseDecimalInput('1.250', 'de-DE')).toBe('1250');
    expect(parseDecimalInput('12,50', 'de-DE')).toBe('12.50');
    expect(parseDecimalInput('12.50', 'de-DE')).toBe('12.50');
    expect(parseDecimalInput("1'250.50", 'de-CH')).toBe('1250.50');
    expect(parseDecimalInput('1 250,5', 'fr-FR')).toBe('1250.5');
    expect(parseDecimalInput('1,000,000', 'en-US')).toBe('1000000');
    expect(parseDecimalInput('-3', 'en-US')).toBe('-3');
    expect(parseDecimalInput('.5', 'en-US')).toBe('0.5');
    expect(parseDecimalInput('007', 'en-US')).toBe('7');
    expect(parseDecimalInput('12.345.6', 'en-US')).toBeNull();
    expect(parseDecimalInput('1,2.3,4', 'en-US')).toBeNull();
    expect(parseDecimalInput('abc', 'en-US')).toBeNull();
    expect(parseDecimalInput('', 'en-US')).toBeNull();
  });

  test('stored numbers are written back exactly, padded to the currency for editing', () => {
    expect(decimalText(0.1)).toBe('0.1');
    expect(decimalText(1e-7)).toBe('0.0000001');
    expect(decimalText(1.5e-7)).toBe('0.00000015');
    expect(decimalText(1e21)).toBe('1000000000000000000000');
    expect(fixedText(8400, 2)).toBe('8400.00');
    expect(fixedText(12.5, 2)).toBe('12.50');
    expect(fixedText(1200, 0)).toBe('1200');
    expect(fixedText('1.2500', 2)).toBe('1.25');
    expect(fixedText('1.2345', 2)).toBe('1.2345');
  });
});
