import { useEffect, useState } from 'react';
import { Alert, Button, Divider, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authApi } from '../../api/auth';
import { errorMessage } from '../../api/client';
import { identityApi } from '../../api/identity';
import { AuthFrame } from './AuthFrame';

/** What a failed single sign-on (the server's `sso_error` reason) means to the person signing in. */
const SSO_ERRORS: Record<string, string> = {
  provider_unavailable: 'The identity provider could not be reached or is not set up correctly. Ask an administrator.',
  flow_expired: 'The sign-in took too long or was started in another browser. Try again.',
  state_mismatch: 'The answer from the identity provider did not belong to this sign-in. Try again.',
  provider_refused: 'The identity provider did not sign you in.',
  token_invalid: "The identity provider's answer could not be verified. Try again or ask an administrator.",
  email_unverified: 'Your e-mail address is not verified at the identity provider.',
  domain_not_allowed: 'Your e-mail domain may not sign in here.',
  no_account: 'There is no Meridian user with your e-mail address. Ask an administrator.',
  user_inactive: 'Your Meridian user is no longer active.',
};

export function SignInPage({ redirect }: { redirect?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const ssoError = new URLSearchParams(window.location.search).get('sso_error');
  const [error, setError] = useState<string | null>(ssoError ? (SSO_ERRORS[ssoError] ?? 'Single sign-on failed. Try again.') : null);
  const providers = useQuery({ queryKey: ['auth', 'sso-providers'], queryFn: identityApi.signInProviders, staleTime: 60_000 });
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
      {(providers.data ?? []).length > 0 && (
        <Stack mt="md">
          <Divider label="or" labelPosition="center" />
          {providers.data!.map((p) => (
            // A full page navigation: the provider's sign-in page is another site.
            <Button key={p.id} component="a" href={`/auth/sso/${encodeURIComponent(p.id)}/start`} variant="default">Sign in with {p.name}</Button>
          ))}
        </Stack>
      )}
    </AuthFrame>
  );
}
