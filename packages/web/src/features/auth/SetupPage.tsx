import { useState } from 'react';
import { Alert, Button, Checkbox, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authApi } from '../../api/auth';
import { loadDemo } from '../demo/loadDemo';
import { useApiForm } from '../../lib/useApiForm';
import { FormSummary } from '../../components/FormSummary';
import { AuthFrame } from './AuthFrame';

/**
 * First run: the one-time link the server printed (/setup?token=…) creates the first
 * administrator, and optionally loads the demo organisation (POST /api/v1/admin/seed-demo, then
 * GET for progress). /auth/status may answer `demoSeedAvailable: false` to hide the checkbox.
 */
export function SetupPage({ token }: { token: string }) {
  const status = useQuery({ queryKey: ['auth', 'status'], queryFn: authApi.status, staleTime: Infinity });
  const [values, setValues] = useState({ firstName: '', lastName: '', email: '', password: '' });
  const [demo, setDemo] = useState(false);
  const navigate = useNavigate();
  const qc = useQueryClient();
  // The token's problems (used, expired) are the form's, not a field's: they go to the summary.
  const form = useApiForm({
    fields: ['firstName', 'lastName', 'email', 'password'],
    submit: () => authApi.setup({ token, ...values }),
    onSuccess: () => {
      qc.clear();
      if (demo) void loadDemo(qc);
      navigate({ to: '/' });
    },
  });

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

  return (
    <AuthFrame title="Set up Meridian" subtitle="Create the first administrator account.">
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate>
        <Stack>
          {!token && <Alert color="yellow">Open the one-time setup link the server printed on its console.</Alert>}
          <FormSummary summary={form.summary} errors={form.errors} />
          <Group grow align="flex-start">
            <TextInput label="First name" autoComplete="given-name" value={values.firstName} onChange={set('firstName')} error={form.errors.firstName} />
            <TextInput label="Last name" autoComplete="family-name" value={values.lastName} onChange={set('lastName')} error={form.errors.lastName} required />
          </Group>
          <TextInput label="E-mail" type="email" autoComplete="username" value={values.email} onChange={set('email')} error={form.errors.email} required />
          <PasswordInput label="Password" autoComplete="new-password" value={values.password} onChange={set('password')} error={form.errors.password} required description="At least 10 characters." />
          {status.data?.demoSeedAvailable !== false && <Checkbox label="Load the demo organisation" checked={demo} onChange={(e) => setDemo(e.currentTarget.checked)} />}
          <Button type="submit" loading={form.pending} disabled={!token}>Create administrator</Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
