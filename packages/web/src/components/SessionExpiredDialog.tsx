import { useEffect, useState } from 'react';
import { Alert, Button, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { authApi } from '../api/auth';
import { errorMessage, session } from '../api/client';
import type { Me } from '../api/types';
import { meKey } from '../lib/useMe';

/**
 * Shown when a request answers 401 while the user is working. The page underneath stays as it
 * is (a half-filled form keeps its values); after signing in, the parked requests are retried.
 */
export function SessionExpiredDialog() {
  const [open, setOpen] = useState(session.isExpired());
  const qc = useQueryClient();
  const me = qc.getQueryData<Me | null>(meKey);
  const [email, setEmail] = useState(me?.email ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const off = session.subscribe((expired) => {
    setOpen(expired);
    if (expired) {
      setPassword('');
      setError(null);
      const current = qc.getQueryData<Me | null>(meKey);
      if (current?.email) setEmail(current.email);
    }
    });
    return () => {
      off();
    };
  }, [qc]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await authApi.login(email, password);
      session.renewed();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={open} onClose={() => {}} withCloseButton={false} closeOnClickOutside={false} closeOnEscape={false} title="Your session has expired" centered>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">Sign in again to carry on. Nothing you typed has been lost.</Text>
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <TextInput label="E-mail" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required />
          <PasswordInput label="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required data-autofocus />
          <Button type="submit" loading={busy}>Sign in</Button>
        </Stack>
      </form>
    </Modal>
  );
}
