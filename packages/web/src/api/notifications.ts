import { api, request } from './client';
import type { ResponseOf } from './types';

export type NotificationPage = ResponseOf<'listNotifications'>;
export type AppNotification = NotificationPage['data'][number];
export type NotificationSettings = ResponseOf<'getNotificationSettings'>;

/** Same-origin, so the session cookie authenticates the EventSource. */
export const NOTIFICATION_STREAM_URL = '/api/v1/me/notifications/stream';

export const notificationKeys = {
  list: ['notifications', 'list'] as const,
  settings: ['notifications', 'settings'] as const,
  calendarFeed: ['me', 'calendar-feed'] as const,
};

export const notificationsApi = {
  list: (limit = 20, cursor?: string) => api.get<NotificationPage>(`/me/notifications?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  markRead: (id: string) => api.post<void>(`/me/notifications/${encodeURIComponent(id)}/read`),
  markAllRead: () => api.post<{ updated: number }>('/me/notifications/read-all'),
  settings: () => api.get<NotificationSettings>('/me/notification-settings'),
  saveSettings: (s: NotificationSettings) => request<NotificationSettings>('/me/notification-settings', { method: 'PUT', body: s }),
  calendarFeed: () => api.get<{ url: string }>('/me/calendar-feed'),
  resetCalendarFeed: () => api.post<{ url: string }>('/me/calendar-feed'),
};
