import { useState } from 'react';
import { Alert, Button, Checkbox, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authApi } from '../../api/auth';
import { ApiError, errorMessage } from '../../api/client';
import { AuthFrame } from './AuthFrame';
import { notifications } from '@mantine/notifications';
import type { QueryClient } from '@tanstack/react-query';

/** Starts the demo seed and reports its progress in a notification until it is done. */
async function loadDemo(qc: QueryClient) {
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

/**
 * First run: the one-time link the server printed (/setup?token=…) creates the first
 * administrator, and optionally loads the demo organisation (POST /api/v1/admin/seed-demo, then
 * GET for progress). /auth/status may answer `demoSeedAvailable: false` to hide the checkbox.
 */
export function SetupPage({ token }: { token: string }) {
  const status = useQuery({ queryKey: ['auth', 'status'], queryFn: authApi.status, staleTime: Infinity });
  const [values, setValues] = useState({ firstName: '', lastName: '', email: '', password: '' });
  const [demo, setDemo] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const qc = useQueryClient();

  if (status.data && !status.data.setupRequired) {
    return (
      <AuthFrame title="Meridian is set up">
        <Stack>
          <Alert color="blue">An administrator already exists. Sign in instead.</Alert>
          <Button onClick={() => navigate({ to: '/login', search: { redirect: undefined } })}>Go to sign-in</Button>
        </Stack>
      </AuthFrame>
    );
  }

  const set = (k: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [k]: value }));
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      await authApi.setup({ token, ...values });
      qc.clear();
      if (demo) void loadDemo(qc);
      navigate({ to: '/' });
    } catch (err) {
      if (err instanceof ApiError && err.fieldErrors().length) {
        const map: Record<string, string> = {};
        for (const fe of err.fieldErrors()) map[fe.field] = fe.message;
        setErrors(map);
        if (map.token || map['']) setError(map.token ?? map['']!);
      } else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Set up Meridian" subtitle="Create the first administrator account.">
      <form onSubmit={submit} noValidate>
        <Stack>
          {!token && <Alert color="yellow">Open the one-time setup link the server printed on its console.</Alert>}
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <Group grow align="flex-start">
            <TextInput label="First name" autoComplete="given-name" value={values.firstName} onChange={set('firstName')} error={errors.firstName} />
            <TextInput label="Last name" autoComplete="family-name" value={values.lastName} onChange={set('lastName')} error={errors.lastName} required />
          </Group>
          <TextInput label="E-mail" type="email" autoComplete="username" value={values.email} onChange={set('email')} error={errors.email} required />
          <PasswordInput label="Password" autoComplete="new-password" value={values.password} onChange={set('password')} error={errors.password} required description="At least 10 characters." />
          {status.data?.demoSeedAvailable !== false && <Checkbox label="Load the demo organisation" checked={demo} onChange={(e) => setDemo(e.currentTarget.checked)} />}
          <Button type="submit" loading={busy} disabled={!token}>Create administrator</Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
