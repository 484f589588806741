import { useRef, useState } from 'react';
import { ActionIcon, Group, Paper, Text } from '@mantine/core';
import type { Widget, WidgetAnswer } from './api';
import { describePlace, inReadingOrder, moveWidget, placeWidget, resizeWidget } from './layout';
import { WidgetBody, WidgetHeading } from './WidgetCard';
import './dashboards.css';

/** One grid row's height plus the gap (dashboards.css): how far a pointer drags one row. */
const ROW_PX = 64 + 12;
const KEYS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/**
 * The 12-column grid of widget cards. In edit mode a card moves and resizes by pointer (drag
 * the move handle or the resize corner by whole cells) and by keyboard (focus the card: arrow
 * keys move it, Shift+arrows resize it); each change is announced in a live region.
 */
export function DashboardGrid({ widgets, answers, editing, onLayout, onRemove }: {
  widgets: Widget[];
  answers: Map<string, WidgetAnswer>;
  editing: boolean;
  onLayout?: (widgets: Widget[]) => void;
  onRemove?: (id: string) => void;
}) {
  const grid = useRef<HTMLDivElement>(null);
  const [announcement, setAnnouncement] = useState('');
  const titleOf = (w: Widget) => w.title || answers.get(w.id)?.title || 'Widget';
  const change = (next: Widget) => {
    onLayout?.(placeWidget(widgets, next));
    setAnnouncement(describePlace(titleOf(next), next));
  };

  const drag = (w: Widget, mode: 'move' | 'resize') => (e: React.PointerEvent<HTMLElement>) => {
    if (!grid.current) return;
    e.preventDefault();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const cell = grid.current.clientWidth / 12;
    const start = { x: e.clientX, y: e.clientY };
    const before = widgets;
    let last = w;
    const onMove = (ev: PointerEvent) => {
      const dx = Math.round((ev.clientX - start.x) / cell);
      const dy = Math.round((ev.clientY - start.y) / ROW_PX);
      const next = mode === 'move' ? moveWidget(w, dx, dy) : resizeWidget(w, dx, dy);
      if (next.x !== last.x || next.y !== last.y || next.w !== last.w || next.h !== last.h) {
        last = next;
        onLayout?.(placeWidget(before, next));
      }
    };
    const onUp = () => {
      handle.removeEventListener('pointermove', onMove);
      handle.removeEventListener('pointerup', onUp);
      handle.removeEventListener('pointercancel', onUp);
      setAnnouncement(describePlace(titleOf(last), last));
    };
    handle.addEventListener('pointermove', onMove);
    handle.addEventListener('pointerup', onUp);
    handle.addEventListener('pointercancel', onUp);
  };

  const onKey = (w: Widget) => (e: React.KeyboardEvent<HTMLElement>) => {
    const delta = KEYS[e.key];
    if (!editing || !delta || (e.target as HTMLElement).closest('input, select, textarea')) return;
    e.preventDefault();
    change(e.shiftKey ? resizeWidget(w, delta[0], delta[1]) : moveWidget(w, delta[0], delta[1]));
  };

  return (
    <>
      {editing && <Text size="sm" c="dimmed" id="dash-keys">Drag a card's handle to move it or its corner to resize it; or focus a card and use the arrow keys to move it, Shift+arrow keys to resize it.</Text>}
      <div className="dash-grid" ref={grid}>
        {/* While editing, the DOM order stays put: re-inserting the focused card would drop its focus. */}
        {(editing ? widgets : inReadingOrder(widgets)).map((w) => {
          const answer = answers.get(w.id);
          const title = titleOf(w);
          return (
            <Paper withBorder p="sm" key={w.id} className="dash-card" data-editing={editing} data-testid={`widget-${w.id}`}
              component="section" aria-labelledby={`widget-${w.id}-title`}
              style={{ '--dash-x': w.x + 1, '--dash-y': w.y + 1, '--dash-w': w.w, '--dash-h': w.h } as React.CSSProperties}
              {...(editing ? { tabIndex: 0, 'aria-describedby': 'dash-keys', onKeyDown: onKey(w) } : {})}>
              <WidgetHeading id={w.id} title={title} reportId={answer?.report?.id ?? null} />
              {editing && (
                <Group gap={4} my={4}>
                  <ActionIcon variant="light" className="dash-handle" aria-label={`Move ${title}`} onPointerDown={drag(w, 'move')}>✥</ActionIcon>
                  <ActionIcon variant="light" className="dash-resize" aria-label={`Resize ${title}`} onPointerDown={drag(w, 'resize')}
                    onKeyDown={(e) => { const d = KEYS[e.key]; if (d) { e.preventDefault(); e.stopPropagation(); change(resizeWidget(w, d[0], d[1])); } }}>⤡</ActionIcon>
                  <ActionIcon variant="light" color="red" aria-label={`Remove ${title}`} onClick={() => onRemove?.(w.id)}>✕</ActionIcon>
                </Group>
              )}
              {answer ? <WidgetBody widget={answer} /> : <Text size="sm" c="dimmed">Save the dashboard to see this widget.</Text>}
            </Paper>
          );
        })}
      </div>
      <div aria-live="polite" className="dash-sr-only" data-testid="dash-announcer">{announcement}</div>
    </>
  );
}
