import { api } from '../../api/client';
import type { Known, RecordData, ResponseOf } from '../../api/types';

const enc = encodeURIComponent;

export type OrderBoardPage = Known<ResponseOf<'getOrderBoard'>>;
export type OrderBoardColumn = Known<OrderBoardPage['columns'][number]>;

/** The board's columns in order; cancelled orders are kept in a collapsed column at the end. */
export const BOARD_STATUSES = ['received', 'confirmed', 'in_production', 'completed', 'cancelled'] as const;

/** One reason an order is held (`hold_reasons` is a JSON list of them). */
export interface HoldReason {
  code: string;
  message: string;
  field?: string;
  by?: string;
}

export function holdReasons(value: unknown): HoldReason[] {
  if (typeof value !== 'string' || !value) return [];
  try {
    const list = JSON.parse(value) as unknown;
    return Array.isArray(list) ? list.filter((r): r is HoldReason => typeof r === 'object' && r !== null && typeof (r as HoldReason).message === 'string') : [];
  } catch {
    return [];
  }
}

export type OrderCommand = 'confirm' | 'start-production' | 'complete' | 'cancel' | 'move' | 'hold' | 'release';

export const ordersApi = {
  /** A named command (POST /orders/{id}/{command}); with the version read, a change since is refused. */
  run: (id: string, command: OrderCommand, body: Record<string, unknown> = {}, version?: number) =>
    api.post<RecordData>(`/orders/${enc(id)}/${command}`, body, version === undefined ? {} : { headers: { 'if-match': `"${version}"` } }),
  /** One column of the production board (GET /orders/board), optionally only orders with a line of a team. */
  column: (status: string, team: string | null, cursor: string | null) => {
    const q = new URLSearchParams({ status, limit: '25' });
    if (team) q.set('team', team);
    if (cursor) q.set('cursor', cursor);
    return api.get<OrderBoardPage>(`/orders/board?${q.toString()}`);
  },
};
