import type { Widget } from './api';

/**
 * Moving and resizing widgets on the 12-column grid — the same arithmetic for the pointer (drag
 * a handle by whole cells) and the keyboard (arrow keys), so both stay inside the grid.
 */
export const COLUMNS = 12;
export const MAX_HEIGHT = 12;
export const MAX_ROWS = 200;

const clamp = (v: number, min: number, max: number) => Math.max(min, Math.min(max, v));

export function moveWidget(w: Widget, dx: number, dy: number): Widget {
  return { ...w, x: clamp(w.x + dx, 0, COLUMNS - w.w), y: clamp(w.y + dy, 0, MAX_ROWS - 1) };
}

export function resizeWidget(w: Widget, dw: number, dh: number): Widget {
  return { ...w, w: clamp(w.w + dw, 1, COLUMNS - w.x), h: clamp(w.h + dh, 1, MAX_HEIGHT) };
}

/** Reading order (row, then column): the DOM order, so tabbing and the phone's single column follow the layout. */
export const inReadingOrder = (widgets: Widget[]) => [...widgets].sort((a, b) => a.y - b.y || a.x - b.x);

/** The first free row below every widget, for a new one. */
export const nextRow = (widgets: Widget[]) => widgets.reduce((max, w) => Math.max(max, w.y + w.h), 0);

/** What a screen reader hears after a keyboard move or resize. */
export const describePlace = (title: string, w: Widget) => `${title}: column ${w.x + 1}, row ${w.y + 1}, ${w.w} columns wide, ${w.h} rows high`;

const overlaps = (a: Widget, b: Widget) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * The layout after one widget moved or resized: it keeps its place and any widget it now covers
 * is pushed down below whatever it would overlap (top to bottom), so cards never sit on each other.
 */
export function placeWidget(widgets: Widget[], changed: Widget): Widget[] {
  const placed: Widget[] = [changed];
  const others = inReadingOrder(widgets.filter((w) => w.id !== changed.id));
  for (const original of others) {
    const w = { ...original };
    for (let hit = placed.find((p) => overlaps(p, w)); hit; hit = placed.find((p) => overlaps(p, w))) w.y = hit.y + hit.h;
    placed.push(w);
  }
  // Keep the caller's order (the DOM order while editing, so the focused card is never re-inserted).
  return widgets.map((w) => placed.find((p) => p.id === w.id)!);
}
