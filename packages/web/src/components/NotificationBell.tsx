import { useEffect, useState } from 'react';
import { ActionIcon, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { NOTIFICATION_STREAM_URL, notificationKeys, notificationsApi, type AppNotification } from '../api/notifications';
import { localeSettings } from '../lib/format';
import { TextLink } from './links';

/**
 * The header's bell: unread count, the recent notifications in a popover (click → read and open
 * the record), "Mark all as read". Live through the server-sent-event stream: each event refreshes
 * the list, and the count comes straight from the stream.
 */
export function NotificationBell() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const list = useQuery({ queryKey: notificationKeys.list, queryFn: () => notificationsApi.list(20) });
  const live = useUnreadStream(() => void qc.invalidateQueries({ queryKey: notificationKeys.list }));
  const unread = live ?? list.data?.unreadCount ?? 0;
  const items = list.data?.data ?? [];

  const open = async (n: AppNotification) => {
    setOpened(false);
    if (!n.readAt) {
      await notificationsApi.markRead(n.id).catch(() => {});
      void qc.invalidateQueries({ queryKey: notificationKeys.list });
    }
    // Notifications about something other than a record (a disabled webhook) are read in place.
    if (n.object && n.recordId) void navigate({ to: '/o/$object/$id', params: { object: n.object, id: n.recordId }, search: { tab: undefined } });
  };

  const markAll = async () => {
    try {
      await notificationsApi.markAllRead();
      void qc.invalidateQueries({ queryKey: notificationKeys.list });
    } catch (error) {
      toasts.show({ color: 'red', message: errorMessage(error) });
    }
  };

  const label = unread ? `Notifications, ${unread} unread` : 'Notifications';
  return (
    <Indicator label={unread > 99 ? '99+' : unread} size={18} color="red" offset={4} disabled={!unread}>
      {/* onClose too: Escape and clicks outside close the dropdown without onChange, and the next click on the bell must open it again. */}
      <Popover opened={opened} onChange={setOpened} onClose={() => setOpened(false)} position="bottom-end" withinPortal shadow="md" trapFocus returnFocus width={360}>
        <Popover.Target>
          <ActionIcon variant="subtle" color="gray" size="lg" aria-label={label} onClick={() => setOpened((o) => !o)}>
            <BellIcon />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p={0} maw="calc(100vw - 16px)" role="dialog" aria-label="Notifications">
          <Group justify="space-between" px="sm" py="xs" wrap="nowrap" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
            <Text fw={600} size="sm">Notifications</Text>
            <Button size="compact-xs" variant="subtle" onClick={markAll} disabled={!unread}>Mark all as read</Button>
          </Group>
          <ScrollArea.Autosize mah={420} type="auto">
            {items.length === 0 ? (
              <Stack gap={4} p="md">
                <Text size="sm" fw={500}>You're all caught up</Text>
                <Text size="sm" c="dimmed">Reminders for your meetings, calls and tasks, and overdue tasks of your team, appear here.</Text>
              </Stack>
            ) : (
              <ul className="notification-list" aria-label="Recent notifications" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {items.map((n) => (
                  <li key={n.id} style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}>
                    <UnstyledButton onClick={() => void open(n)} px="sm" py="xs" w="100%" style={{ display: 'block', background: n.readAt ? undefined : 'var(--mantine-color-indigo-0)' }}>
                      <Group gap={6} wrap="nowrap" align="baseline">
                        {!n.readAt && <span aria-hidden style={{ width: 8, height: 8, borderRadius: 4, background: 'var(--mantine-color-indigo-6)', flex: 'none' }} />}
                        <Text size="sm" fw={n.readAt ? 400 : 600} lineClamp={1}>
                          {n.title}
                          {!n.readAt && <span className="sr-only"> (unread)</span>}
                        </Text>
                      </Group>
                      <Text size="xs" c="dimmed" lineClamp={2}>{n.body}</Text>
                      <Text size="xs" c="dimmed" component="time" dateTime={n.createdAt} title={new Date(n.createdAt).toLocaleString(localeSettings().locale, { timeZone: localeSettings().timeZone })}>
                        {relativeTime(n.createdAt)}
                      </Text>
                    </UnstyledButton>
                  </li>
                ))}
              </ul>
            )}
          </ScrollArea.Autosize>
          <Group px="sm" py="xs" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
            <TextLink to="/settings/notifications" size="sm" c="indigo.8" onClick={() => setOpened(false)}>Notification settings</TextLink>
          </Group>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}

/**
 * The unread count from the stream (null until the first event). EventSource reconnects by
 * itself after a dropped connection; when the server refuses it (closed state, e.g. a 401 after
 * the session expired) it is reopened after a growing pause.
 */
function useUnreadStream(onEvent: () => void): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 5000;
    let stopped = false;
    const connect = () => {
      source = new EventSource(NOTIFICATION_STREAM_URL);
      source.addEventListener('unread', (e) => {
        delay = 5000;
        setCount((JSON.parse((e as MessageEvent<string>).data) as { count: number }).count);
        onEvent();
      });
      source.addEventListener('notification', () => onEvent());
      source.onerror = () => {
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 120_000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
    // onEvent only invalidates a query: a new function each render must not reconnect.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return count;
}

/** "3 minutes ago", "yesterday": in the user's locale. */
function relativeTime(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const rtf = new Intl.RelativeTimeFormat(localeSettings().locale, { numeric: 'auto' });
  const s = Math.round((t - now) / 1000);
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12], ['year', Infinity]];
  let value = s;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return unit === 'second' && Math.abs(value) < 45 ? rtf.format(0, 'second') : rtf.format(Math.round(value), unit);
    value /= size;
  }
  return rtf.format(Math.round(value), 'year');
}

function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <path d="M10 5a2 2 0 1 1 4 0a7 7 0 0 1 4 6v3a4 4 0 0 0 2 3h-16a4 4 0 0 0 2 -3v-3a7 7 0 0 1 4 -6 M9 17v1a3 3 0 0 0 6 0v-1" />
    </svg>
  );
}
