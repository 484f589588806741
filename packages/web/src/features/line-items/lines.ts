import { queryAllRecords } from '../../api/records';
import type { RecordData } from '../../api/types';

/** Which lines belong to a record: a deal's products, a quote's lines. */
export interface LineKind {
  /** The parent object and the line object pointing at it. */
  parent: 'opportunity' | 'quote' | 'order' | 'invoice';
  object: 'opportunity_line' | 'quote_line' | 'order_line' | 'invoice_line';
  /** The line's lookup to its parent. */
  field: string;
  /** Lines carry discounts and optional/selected flags, and have an order. */
  quoteLike: boolean;
  /** Lines can be marked optional (quotes). */
  optional?: boolean;
  /** The parent's statuses in which lines may change, and what the panel says otherwise. */
  editableWhile?: { statuses: string[]; lockedText: string };
  /** Production details (spec text, team) shown under the product (order lines). */
  production?: boolean;
}

export const OPPORTUNITY_LINES: LineKind = { parent: 'opportunity', object: 'opportunity_line', field: 'opportunity', quoteLike: false };
export const QUOTE_LINES: LineKind = {
  parent: 'quote', object: 'quote_line', field: 'quote', quoteLike: true, optional: true,
  editableWhile: { statuses: ['draft', 'pending_approval', 'approved'], lockedText: 'Sent quotes are locked: revise to change them.' },
};
export const ORDER_LINES: LineKind = {
  parent: 'order', object: 'order_line', field: 'order', quoteLike: true, production: true,
  editableWhile: { statuses: ['received', 'confirmed'], lockedText: 'Lines are locked once production starts.' },
};

export const INVOICE_LINES: LineKind = {
  parent: 'invoice', object: 'invoice_line', field: 'invoice', quoteLike: true,
  editableWhile: { statuses: ['draft'], lockedText: 'Posted invoices are locked: correct them with a credit note.' },
};

export const linesKey = (kind: LineKind, parentId: string) => ['records', kind.object, 'lines', parentId];

/** All lines of a parent, in order (quotes by position), with product names (display). */
export async function fetchLines(kind: LineKind, parentId: string) {
  const { data, display } = await queryAllRecords(kind.object, { filter: { field: kind.field, op: 'eq', value: parentId }, sort: kind.quoteLike ? 'position,created_at' : 'created_at' });
  return { lines: data, display };
}

/**
 * New positions after moving the line at `from` to index `to` (a drag, or one step with the
 * keyboard): every line gets a distinct position (10, 20, …) so the order survives lines without
 * one, and only the lines whose position changes are returned — the ones to save.
 */
export function reorderTo(lines: RecordData[], from: number, to: number): Array<{ id: string; position: number }> {
  if (from === to || from < 0 || to < 0 || from >= lines.length || to >= lines.length) return [];
  const ids = lines.map((l) => l.id);
  const [moved] = ids.splice(from, 1);
  ids.splice(to, 0, moved!);
  const before = new Map(lines.map((l) => [l.id, l.position]));
  return ids.map((id, i) => ({ id, position: (i + 1) * 10 })).filter(({ id, position }) => before.get(id) !== position);
}
