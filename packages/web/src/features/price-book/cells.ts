import { formatCurrency, formatDate, formatNumber } from '../../lib/format';
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
