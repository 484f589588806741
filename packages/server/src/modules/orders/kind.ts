import type { DocumentKind } from '../billing/index.ts';

/** Orders as one of billing's priced documents (billing/documents/kind.ts). */
export const ORDER: DocumentKind = {
  header: 'order',
  line: 'order_line',
  parent: 'order',
  selectable: false,
  extraColumns: ['quote_id', 'opportunity_id', 'po_number', 'on_hold', 'hold_reasons'],
};
