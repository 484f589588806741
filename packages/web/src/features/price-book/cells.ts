import { formatCurrency, formatDate, formatNumber } from '../../lib/format';
import { fixedText, parseDecimalInput } from './money';
import type { Column, EntryRow } from './grid';

/** What a cell shows when it is not edited; '' where the entry has nothing (shown as a dash). */
export function cellText(column: Column, row: EntryRow, bookCurrency: string): string {
  const value = row.record[column.key];
  switch (column.key) {
    case 'product': return row.product;
    case 'product_spec': return row.spec;
    case 'unit_of_measure': return row.unit;
    case 'currency': return typeof value === 'string' ? value : bookCurrency;
    case 'min_quantity': return formatNumber(typeof value === 'number' ? value : 0, { maximumFractionDigits: 6 });
    case 'unit_price': return typeof value === 'number' ? formatCurrency(value, typeof row.record.currency === 'string' ? row.record.currency : bookCurrency) : '';
    case 'valid_from':
    case 'valid_to': return typeof value === 'string' ? formatDate(value) : '';
    case 'active': return value === false ? 'Inactive' : 'Active';
    default: return '';
  }
}

/** A cell's key in the grid's maps and its data-cell attribute. */
export const cellKey = (id: string, column: string) => `${id}|${column}`;

/** A cell's value as text to copy: plain numbers and ISO dates, which any spreadsheet reads. */
export function copyText(column: Column, row: EntryRow, bookCurrency: string, places: number): string {
  const value = row.record[column.key];
  if (column.key === 'unit_price' && typeof value === 'number') return fixedText(value, places);
  if (column.key === 'min_quantity') return fixedText(typeof value === 'number' ? value : 0, 0);
  if (column.key === 'valid_from' || column.key === 'valid_to') return typeof value === 'string' ? value : '';
  return cellText(column, row, bookCurrency);
}

/**
 * What a pasted text sets a cell to: numbers read in the user's locale, dates as YYYY-MM-DD, a
 * currency code, yes/no for Active; 'skip' for cells a paste does not fill (products, specs, units,
 * the checkboxes and buttons), 'invalid' for text the cell cannot take.
 */
export function pastedValue(column: Column, text: string, locale: string): { value: unknown } | 'skip' | 'invalid' {
  switch (column.editor) {
    case 'decimal': {
      if (!text) return { value: null };
      const d = parseDecimalInput(text.replace(/[^\d.,'’\s+-]/g, ''), locale);
      return d === null ? 'invalid' : { value: d };
    }
    case 'date':
      return !text ? { value: null } : /^\d{4}-\d{2}-\d{2}$/.test(text) ? { value: text } : 'invalid';
    case 'choice':
      return /^[a-z]{3}$/i.test(text) ? { value: text.toUpperCase() } : 'invalid';
    case 'toggle':
      if (/^(yes|true|1|active|y)$/i.test(text)) return { value: true };
      return /^(no|false|0|inactive|n)$/i.test(text) ? { value: false } : 'invalid';
    default:
      return 'skip';
  }
}
