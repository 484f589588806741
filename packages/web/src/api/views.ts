import { api } from './client';
import type { Condition, ResponseOf } from './types';

/**
 * Saved list views (GET/POST/PATCH/DELETE /api/v1/views): filter, sort and columns of an object's
 * list, private to their owner unless shared with everyone.
 */
export interface SavedView {
  id: string;
  name: string;
  object: string;
  filter: Condition | null;
  sort: string;
  columns: string[];
  shared?: boolean;
  ownerId?: string;
}

type ServerView = ResponseOf<'listViews'>['data'][number];

const fromServer = (v: ServerView): SavedView => ({ ...v, sort: v.sort ?? '', filter: (v.filter ?? null) as Condition | null, columns: v.columns ?? [] });

export const viewsApi = {
  async list(object: string): Promise<SavedView[]> {
    const r = await api.get<{ data: ServerView[] }>(`/views?object=${encodeURIComponent(object)}`);
    return r.data.map(fromServer);
  },
  async save(view: Omit<SavedView, 'id'> & { id?: string }): Promise<SavedView> {
    const body = { name: view.name, filter: view.filter, sort: view.sort || null, columns: view.columns, shared: view.shared ?? false };
    const saved = view.id
      ? await api.patch<ServerView>(`/views/${encodeURIComponent(view.id)}`, body)
      : await api.post<ServerView>('/views', { ...body, object: view.object, kind: 'table' });
    return fromServer(saved);
  },
  async remove(id: string): Promise<void> {
    await api.del(`/views/${encodeURIComponent(id)}`);
  },
};
