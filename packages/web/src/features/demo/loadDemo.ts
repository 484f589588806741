import { notifications } from '@mantine/notifications';
import type { QueryClient } from '@tanstack/react-query';
import { authApi } from '../../api/auth';
import { ApiError, errorMessage } from '../../api/client';

/** Starts the demo seed and reports its progress in a notification until it is done. */
export async function loadDemo(qc: QueryClient) {
  const id = 'demo-seed';
  try {
    await authApi.seedDemo();
  } catch (err) {
    const missing = err instanceof ApiError && err.status === 404;
    notifications.show({ id, color: 'yellow', message: missing ? 'This server cannot load the demo organisation.' : `The demo organisation could not be loaded: ${errorMessage(err)}` });
    return;
  }
  notifications.show({ id, loading: true, autoClose: false, withCloseButton: false, title: 'Loading the demo organisation', message: 'Starting…' });
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = await authApi.seedDemoStatus().catch(() => null);
    if (!s) continue;
    if (s.state === 'running') {
      notifications.update({ id, loading: true, autoClose: false, title: 'Loading the demo organisation', message: s.messages[s.messages.length - 1] ?? 'Working…' });
      continue;
    }
    if (s.state === 'done') {
      const summary = Object.entries(s.summary ?? {}).map(([k, v]) => `${v} ${k}`).join(', ');
      notifications.update({ id, loading: false, color: 'green', autoClose: 8000, withCloseButton: true, title: 'Demo organisation loaded', message: summary || 'Done' });
      void qc.invalidateQueries();
    } else {
      notifications.update({ id, loading: false, color: 'red', autoClose: false, withCloseButton: true, title: 'The demo organisation could not be loaded', message: s.error ?? 'Unknown error' });
    }
    return;
  }
}

