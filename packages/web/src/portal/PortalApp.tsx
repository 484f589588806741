import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Anchor, Box, Button, Container, Group, Loader, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { errorMessage } from '../api/client';
import { isSignedOut, portalApi, type PortalMe } from '../api/portal';
import { DashboardPage, InvoicesPage, LinksPage, OrdersPage, PaymentsPage, StatementPage } from './pages';
import { QuotePage, QuotesPage } from './QuotePages';
import { ProfilePage } from './ProfilePage';
import './portal.css';

/**
 * The customer portal: a separate surface of the web app for an account's contacts, with its
 * own layout (no staff navigation) and its own session (docs/portal.md). One route
 * (/portal/*) renders it; the part after /portal/ picks the page.
 */
const NAV: Array<[string, string]> = [
  ['', 'Overview'], ['invoices', 'Invoices'], ['payments', 'Payments'], ['statement', 'Statement'], ['quotes', 'Quotes'], ['orders', 'Orders'], ['profile', 'Your details'], ['links', 'Links'],
];

export function PortalLink({ to, children, ...rest }: { to: string; children: ReactNode; className?: string; 'aria-current'?: 'page' | undefined }) {
  // Exact: the overview (/portal/) is not "active" on every page below it.
  return <Link to="/portal/$" params={{ _splat: to }} activeOptions={{ exact: true }} {...rest}>{children}</Link>;
}

export function PortalApp({ path }: { path: string }) {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'sign-in') return <Shell><SignInPage /></Shell>;
  if (parts[0] === 'link') return <Shell><LinkLandingPage /></Shell>;
  return <SignedIn parts={parts} />;
}

function Shell({ children, me, current }: { children: ReactNode; me?: PortalMe; current?: string }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => portalApi.signOut(),
    onSettled: () => {
      client.removeQueries({ queryKey: ['portal'] });
      void navigate({ to: '/portal/$', params: { _splat: 'sign-in' } });
    },
  });
  return (
    <Box className="portal">
      <header className="portal-header">
        <Container size="md">
          <Group justify="space-between" wrap="wrap" gap="xs" py="sm">
            <div>
              <Text fw={700}>{me?.company ?? 'Customer portal'}</Text>
              {me && <Text size="sm" c="dimmed">{me.account.name} · {me.contact.name}</Text>}
            </div>
            {me && <Button variant="default" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>Sign out</Button>}
          </Group>
          {me && (
            <nav aria-label="Portal">
              <ul className="portal-nav">
                {NAV.map(([to, label]) => (
                  <li key={to}><PortalLink to={to} className={current === to ? 'portal-nav-link is-current' : 'portal-nav-link'} aria-current={current === to ? 'page' : undefined}>{label}</PortalLink></li>
                ))}
              </ul>
            </nav>
          )}
        </Container>
      </header>
      <Container size="md" component="main" py="md">{children}</Container>
    </Box>
  );
}

function SignedIn({ parts }: { parts: string[] }) {
  const me = useQuery({ queryKey: ['portal', 'me'], queryFn: portalApi.me, retry: false });
  const navigate = useNavigate();
  useEffect(() => {
    if (me.error && isSignedOut(me.error)) void navigate({ to: '/portal/$', params: { _splat: 'sign-in' }, replace: true });
  }, [me.error, navigate]);
  if (me.isPending) return <Shell><Loader aria-label="Loading" /></Shell>;
  if (me.error) return <Shell><Alert color="red" title="The portal could not be loaded">{errorMessage(me.error)}</Alert></Shell>;
  const [section = '', id] = parts;
  let page: ReactNode;
  switch (section) {
    case '': page = <DashboardPage me={me.data} />; break;
    case 'invoices': page = <InvoicesPage me={me.data} id={id} />; break;
    case 'payments': page = <PaymentsPage me={me.data} />; break;
    case 'statement': page = <StatementPage me={me.data} />; break;
    case 'quotes': page = id ? <QuotePage id={id} /> : <QuotesPage />; break;
    case 'orders': page = <OrdersPage id={id} />; break;
    case 'profile': page = <ProfilePage />; break;
    case 'links': page = <LinksPage />; break;
    default: page = <Alert title="Not found">This page does not exist. <PortalLink to="">Go to the overview</PortalLink>.</Alert>;
  }
  return <Shell me={me.data} current={section}>{page}</Shell>;
}

function SignInPage() {
  const [email, setEmail] = useState('');
  const request = useMutation({ mutationFn: () => portalApi.requestLink(email.trim()) });
  return (
    <Paper withBorder p="lg" maw={460} mx="auto">
      <Title order={1} size="h2" mb="xs">Sign in to the customer portal</Title>
      {request.isSuccess ? (
        <Stack>
          <Alert color="green" title="Check your mail">{request.data.message}</Alert>
          <Text size="sm">Open the link in the e-mail on this device. Nothing arrived? Check your spam folder, or <Anchor component="button" onClick={() => request.reset()}>ask again</Anchor>.</Text>
        </Stack>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); if (email.trim()) request.mutate(); }}>
          <Stack>
            <Text size="sm">Enter the e-mail address your supplier knows you by. We send you a link that signs you in — no password needed.</Text>
            <TextInput label="E-mail address" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            {request.error && <Alert color="red" role="alert">{errorMessage(request.error)}</Alert>}
            <Button type="submit" loading={request.isPending}>Send me a sign-in link</Button>
          </Stack>
        </form>
      )}
    </Paper>
  );
}

/** The link from the e-mail: its token is in the fragment (never sent to a server); handing it in signs in once. */
function LinkLandingPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const started = useRef(false);
  const signIn = useMutation({
    mutationFn: (token: string) => portalApi.signIn(token),
    onSuccess: () => {
      client.removeQueries({ queryKey: ['portal'] });
      window.history.replaceState(null, '', '/portal/link');
      void navigate({ to: '/portal/$', params: { _splat: '' }, replace: true });
    },
  });
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = window.location.hash.replace(/^#/, '');
    if (token) signIn.mutate(token);
  }, [signIn]);
  const token = typeof window !== 'undefined' ? window.location.hash.replace(/^#/, '') : '';
  return (
    <Paper withBorder p="lg" maw={460} mx="auto">
      <Title order={1} size="h2" mb="xs">Signing you in</Title>
      {signIn.error || !token ? (
        <Stack>
          <Alert color="red" title="This link does not work">{signIn.error ? errorMessage(signIn.error) : 'The link is incomplete. Copy the whole link from the e-mail.'}</Alert>
          <PortalLink to="sign-in">Ask for a new sign-in link</PortalLink>
        </Stack>
      ) : (
        <Group><Loader size="sm" aria-label="Signing in" /><Text>One moment…</Text></Group>
      )}
    </Paper>
  );
}
