import { useState } from 'react';
import { Button, CopyButton, Group, Modal, NativeSelect, Paper, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { notificationKeys, notificationsApi, type NotificationSettings } from '../../api/notifications';
import { localeSettings } from '../../lib/format';
import { ErrorState, Loading } from '../../components/PageState';

/** The user's notification channels, daily digest hour and calendar feed link. */
export function NotificationSettingsPage() {
  const settings = useQuery({ queryKey: notificationKeys.settings, queryFn: notificationsApi.settings });
  return (
    <Stack maw={720}>
      <Title order={1}>Notifications</Title>
      {settings.error ? <ErrorState error={settings.error} /> : settings.data ? <SettingsForm initial={settings.data} /> : <Loading />}
      <CalendarFeed />
    </Stack>
  );
}

function SettingsForm({ initial }: { initial: NotificationSettings }) {
  const qc = useQueryClient();
  const [value, setValue] = useState(initial);
  const [busy, setBusy] = useState(false);
  const { locale, timeZone } = localeSettings();
  const hourLabel = (h: number) => new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(Date.UTC(2000, 0, 1, h));

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const saved = await notificationsApi.saveSettings(value);
      qc.setQueryData(notificationKeys.settings, saved);
      toasts.show({ message: 'Notification settings saved' });
    } catch (error) {
      toasts.show({ color: 'red', message: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={save}>
      <Stack>
        <Title order={2} size="h4">Reminders and escalations</Title>
        <Switch label="Show in the app" description="The bell in the header counts them and lists them." checked={value.inApp} onChange={(e) => setValue({ ...value, inApp: e.currentTarget.checked })} />
        <Switch label="Send by e-mail" description="Each reminder as its own e-mail, when the server has e-mail set up." checked={value.email} onChange={(e) => setValue({ ...value, email: e.currentTarget.checked })} />
        <Title order={2} size="h4" mt="sm">Daily digest</Title>
        <Switch
          label="E-mail me a daily digest"
          description="Today's meetings, calls and tasks, and your overdue tasks, in one e-mail. None is sent on a day with nothing in it."
          checked={value.digest.enabled}
          onChange={(e) => setValue({ ...value, digest: { ...value.digest, enabled: e.currentTarget.checked } })}
        />
        <NativeSelect
          label="Digest time"
          description={`In your time zone (${timeZone}).`}
          maw={240}
          disabled={!value.digest.enabled}
          value={String(value.digest.hour)}
          onChange={(e) => setValue({ ...value, digest: { ...value.digest, hour: Number(e.currentTarget.value) } })}
          data={Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: hourLabel(h) }))}
        />
        <Group>
          <Button type="submit" loading={busy}>Save</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function CalendarFeed() {
  const qc = useQueryClient();
  const feed = useQuery({ queryKey: notificationKeys.calendarFeed, queryFn: notificationsApi.calendarFeed });
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const reset = async () => {
    setBusy(true);
    try {
      qc.setQueryData(notificationKeys.calendarFeed, await notificationsApi.resetCalendarFeed());
      setConfirming(false);
      toasts.show({ message: 'New calendar link created; the old one no longer works' });
    } catch (error) {
      toasts.show({ color: 'red', message: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={2} size="h4">Calendar feed</Title>
        <Text size="sm" c="dimmed">Subscribe to this link in your calendar app (Google Calendar, Outlook, Apple Calendar) to see your meetings, calls and tasks there. Anyone with the link can read your calendar: keep it private.</Text>
        {feed.error ? (
          <ErrorState error={feed.error} />
        ) : (
          <Group align="flex-end" wrap="wrap">
            <TextInput label="Calendar feed URL" readOnly value={feed.data?.url ?? ''} onFocus={(e) => e.currentTarget.select()} style={{ flex: 1, minWidth: 220 }} />
            <CopyButton value={feed.data?.url ?? ''}>
              {({ copied, copy }) => <Button variant="default" onClick={copy} disabled={!feed.data}>{copied ? 'Copied' : 'Copy link'}</Button>}
            </CopyButton>
            <Button variant="default" color="red" onClick={() => setConfirming(true)} disabled={!feed.data}>Reset link</Button>
          </Group>
        )}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Reset the calendar link?">
        <Stack>
          <Text size="sm">The current link stops working at once. Calendar apps subscribed to it will need the new link.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>Cancel</Button>
            <Button color="red" loading={busy} onClick={reset}>Reset link</Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
