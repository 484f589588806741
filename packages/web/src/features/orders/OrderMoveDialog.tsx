import { useEffect, useRef } from 'react';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/client';
import type { FieldDef, ObjectDef, RecordData } from '../../api/types';
import type { BoardMove } from '../../lib/extensions';
import { ordersApi } from './api';
import { CANCEL_PROMPT, ReasonDialog } from './ReasonDialog';

/** A board takes over every move of an order's status: only the order's commands may change it. */
export function useTakesStatusMove(field: FieldDef): (move: BoardMove) => boolean {
  return () => field.apiName === 'status';
}

/**
 * Runs a board move through POST /orders/{id}/move (the command that leads to the column): to
 * Cancelled it asks for the reason first, any other column goes at once. A refusal is shown and
 * the card stays where it was.
 */
export function OrderMoveDialog({ move, onCancel, onDone }: { object?: ObjectDef; field?: FieldDef; move: BoardMove | null; onCancel: () => void; onDone: (saved: RecordData) => void }) {
  const asks = move?.to === 'cancelled';
  const started = useRef<BoardMove | null>(null);
  const callbacks = useRef({ onCancel, onDone });
  callbacks.current = { onCancel, onDone };
  useEffect(() => {
    if (!move || asks || started.current === move) return;
    started.current = move;
    const name = String(move.record.name ?? 'The order');
    ordersApi.run(move.record.id, 'move', { status: move.to }, move.record.version).then(
      (saved) => callbacks.current.onDone(saved),
      (e: unknown) => {
        notifications.show({ color: 'red', title: `${name} was not moved`, message: errorMessage(e), autoClose: 8000 });
        callbacks.current.onCancel();
      },
    );
  }, [move, asks]);
  return (
    <ReasonDialog
      prompt={asks ? { ...CANCEL_PROMPT, title: `Cancel ${String(move.record.name ?? 'the order')}` } : null}
      onCancel={onCancel}
      submit={(body) => ordersApi.run(move!.record.id, 'move', { status: 'cancelled', ...body }, move!.record.version)}
      onDone={onDone}
    />
  );
}
