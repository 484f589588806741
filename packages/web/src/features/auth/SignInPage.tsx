import { useEffect, useState } from 'react';
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authApi } from '../../api/auth';
import { errorMessage } from '../../api/client';
import { AuthFrame } from './AuthFrame';

export function SignInPage({ redirect }: { redirect?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const status = useQuery({ queryKey: ['auth', 'status'], queryFn: authApi.status, staleTime: Infinity });

  useEffect(() => {
    if (status.data?.setupRequired) navigate({ to: '/setup', search: { token: undefined } });
  }, [status.data, navigate]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await authApi.login(email, password);
      qc.clear();
      // Only same-origin paths: never bounce to another site.
      const to = redirect && redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : '/';
      navigate({ href: to });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Sign in">
      <form onSubmit={submit}>
        <Stack>
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <TextInput label="E-mail" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required autoFocus />
          <PasswordInput label="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required />
          <Button type="submit" loading={busy}>Sign in</Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
