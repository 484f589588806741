import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { Cell } from '../../../platform/records/export/cells.ts';
import { groupedCells, tabularCells } from '../reports/file.ts';
import type { GroupedAnswer, TabularAnswer } from '../reports/run.ts';

/** Rows shown in an e-mail's body; the attachment has the rest. */
export const SUMMARY_ROWS = 20;

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const shown = (c: Cell) => (c === null ? '' : typeof c === 'number' ? c.toLocaleString('en-US', { maximumFractionDigits: 6 }) : String(c));

/** The e-mail's inline summary: the first rows as a table (HTML) and as text. */
export function summaryOf(object: ObjectDefinition, answer: TabularAnswer | GroupedAnswer, maxRows = SUMMARY_ROWS): { html: string; text: string; rows: number } {
  const cells = answer.shape === 'tabular' ? tabularCells(object, answer) : groupedCells(answer);
  const head = answer.columns.map((c) => c.label);
  const body = cells.slice(0, maxRows);
  const html = `<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse"><thead><tr>${head.map((h) => `<th align="left">${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${body.map((row) => `<tr>${row.map((c) => `<td${typeof c === 'number' ? ' align="right"' : ''}>${escapeHtml(shown(c))}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`;
  const text = [head.join(' | '), ...body.map((row) => row.map(shown).join(' | '))].join('\n');
  return { html, text, rows: cells.length };
}

