/** Recently opened records, newest first, kept in this browser. */
export interface RecentItem {
  object: string;
  id: string;
  name: string;
  objectLabel: string;
}

const KEY = 'meridian.recent';
const MAX = 10;
const listeners = new Set<() => void>();

export function recentItems(): RecentItem[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]') as RecentItem[];
  } catch {
    return [];
  }
}

export function pushRecent(item: RecentItem) {
  const list = [item, ...recentItems().filter((r) => !(r.object === item.object && r.id === item.id))].slice(0, MAX);
  localStorage.setItem(KEY, JSON.stringify(list));
  listeners.forEach((l) => l());
}

export function removeRecent(object: string, id: string) {
  localStorage.setItem(KEY, JSON.stringify(recentItems().filter((r) => !(r.object === object && r.id === id))));
  listeners.forEach((l) => l());
}

export function subscribeRecent(fn: () => void) {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}
