import { useLayoutEffect, useRef, type KeyboardEvent, type RefObject } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([data-roving-skip])';

/**
 * One tab stop for a grid's body (WAI-ARIA grid, simplified): Tab enters the grid on the current
 * row and leaves it with the next Tab; ↑/↓ move between rows in the same column, ←/→ between the
 * cells of a row, Home/End to its first and last cell. Every control stays clickable; only the
 * current one is in the tab order. Put `ref` on the <tbody> and `onKeyDown`/`onFocus` on it.
 */
export function useRovingRows(): { ref: RefObject<HTMLTableSectionElement | null>; onKeyDown: (e: KeyboardEvent) => void; onFocus: (e: React.FocusEvent) => void } {
  const ref = useRef<HTMLTableSectionElement | null>(null);
  const current = useRef<{ row: number; col: number }>({ row: 0, col: 0 });

  const rows = () => Array.from(ref.current?.querySelectorAll<HTMLTableRowElement>(':scope > tr') ?? []);
  const controls = (row: HTMLTableRowElement | undefined) => Array.from(row?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? []).filter((el) => el.closest('tr') === row);

  // After every render (rows load, cells switch to editors): only the current control is tabbable.
  useLayoutEffect(() => {
    const all = rows();
    if (!all.length) return;
    const row = Math.min(current.current.row, all.length - 1);
    all.forEach((tr, r) => controls(tr).forEach((el, c) => {
      const active = r === row && c === Math.min(current.current.col, controls(tr).length - 1);
      const value = active ? '0' : '-1';
      if (el.getAttribute('tabindex') !== value) el.setAttribute('tabindex', value);
    }));
  });

  const focus = (row: number, col: number) => {
    const all = rows();
    const r = Math.max(0, Math.min(row, all.length - 1));
    const list = controls(all[r]);
    if (!list.length) return;
    const c = Math.max(0, Math.min(col, list.length - 1));
    current.current = { row: r, col: c };
    all.forEach((tr) => controls(tr).forEach((el) => { el.tabIndex = -1; }));
    list[c]!.tabIndex = 0;
    list[c]!.focus();
  };

  const onFocus = (e: React.FocusEvent) => {
    const tr = (e.target as HTMLElement).closest('tr');
    const all = rows();
    const r = tr ? all.indexOf(tr as HTMLTableRowElement) : -1;
    if (r < 0) return;
    const c = controls(all[r]).indexOf(e.target as HTMLElement);
    if (c >= 0) current.current = { row: r, col: c };
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // Keys typed in an open editor are the editor's.
    const target = e.target as HTMLElement;
    if (target.matches('input:not([type="checkbox"]), textarea, select, [contenteditable="true"]') || target.closest('[data-inline-editor]')) return;
    const { row, col } = current.current;
    const moves: Record<string, [number, number]> = { ArrowDown: [row + 1, col], ArrowUp: [row - 1, col], ArrowRight: [row, col + 1], ArrowLeft: [row, col - 1], Home: [row, 0], End: [row, Number.MAX_SAFE_INTEGER] };
    const to = moves[e.key];
    if (!to) return;
    e.preventDefault();
    focus(to[0], to[1]);
  };

  return { ref, onKeyDown, onFocus };
}
