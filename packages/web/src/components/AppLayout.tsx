import { useEffect, useSyncExternalStore } from 'react';
import { AppShell, Burger, Divider, Group, ScrollArea, Title } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Outlet, useLocation, useNavigate } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { authApi } from '../api/auth';
import { useMetadata } from '../api/metadata';
import { useMe } from '../lib/useMe';
import { recentItems, subscribeRecent } from '../lib/recent';
import { GlobalSearch } from './GlobalSearch';
import { UserMenu } from './UserMenu';
import { NotificationBell } from './NotificationBell';
import { ErrorState, Loading } from './PageState';
import { NavLinkLink, TextLink } from './links';
import { navPagesList } from '../lib/extensions';

/** The signed-in frame: header with search and user menu, navigation by object, the page. */
export function AppLayout() {
  const status = useQuery({ queryKey: ['auth', 'status'], queryFn: authApi.status, staleTime: Infinity });
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();

  useEffect(() => {
    // While a redirect is under way this layout is still mounted with the new location: never
    // redirect from the sign-in or setup pages themselves, or each navigation would start another.
    if (location.pathname.startsWith('/login') || location.pathname.startsWith('/setup')) return;
    if (status.data?.setupRequired) navigate({ to: '/setup', search: { token: undefined } });
    else if (me.data === null) navigate({ to: '/login', search: { redirect: location.href === '/' ? undefined : location.href } });
  }, [status.data, me.data, navigate, location.href, location.pathname]);

  if (status.error) return <ErrorState error={status.error} />;
  if (me.error) return <ErrorState error={me.error} />;
  if (!me.data) return <Loading />;
  return <Shell />;
}

function Shell() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { objects } = useMetadata();
  const me = useMe().data!;
  const location = useLocation();
  const recent = useSyncExternalStore(subscribeRecent, recentItemsSnapshot);
  // On phones the collapsed navigation slides off screen: keep it out of the tab order too.
  const phone = useMediaQuery('(max-width: 48em)');
  const navHidden = phone && !opened;

  useEffect(() => close(), [location.pathname, close]);

  // Junction and configuration objects (inNavigation: false) are reached from their parents or Settings.
  const nav = objects.filter((o) => o.inNavigation !== false).sort((a, b) => a.navOrder - b.navOrder || a.label.localeCompare(b.label));
  const isActive = (path: string) => location.pathname === path || location.pathname.startsWith(`${path}/`);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">Skip to content</a>
      <AppShell.Header>
        <Group h="100%" px="md" gap="sm" wrap="nowrap">
          <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
          <TextLink to="/" fw={700} size="lg" c="indigo.8" style={{ textDecoration: 'none' }} visibleFrom="xs">
            Meridian
          </TextLink>
          <div style={{ flex: 1, minWidth: 0, maxWidth: 520 }}>
            <GlobalSearch />
          </div>
          <Group gap="xs" wrap="nowrap" style={{ marginLeft: 'auto' }}>
            <NotificationBell />
            <UserMenu me={me} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation" inert={navHidden || undefined} aria-hidden={navHidden || undefined}>
        <AppShell.Section grow component={ScrollArea}>
          <nav aria-label="My work">
            <NavLinkLink to="/" label="My day" active={location.pathname === '/'} />
            <NavLinkLink to="/calendar" label="Calendar" active={isActive('/calendar')} />
            {navPagesList().filter((p) => objects.some((o) => o.apiName === p.object)).map((p) => (
              <NavLinkLink key={p.path} to={p.path} label={p.label} active={isActive(p.path)} />
            ))}
          </nav>
          <Divider my="xs" />
          <nav aria-label="Objects">
            {nav.map((o) => (
              <NavLinkLink key={o.apiName}  to="/o/$object" params={{ object: o.apiName }} search={{ view: undefined }} label={o.pluralLabel} active={isActive(`/o/${o.apiName}`)} />
            ))}
          </nav>
          {recent.length > 0 && (
            <>
              <Divider my="sm" />
              <Title order={2} size="xs" tt="uppercase" c="dimmed" px="sm" mb={4}>Recent</Title>
              <nav aria-label="Recent items">
                {recent.map((r) => (
                  <NavLinkLink key={`${r.object}/${r.id}`}  to="/o/$object/$id" params={{ object: r.object, id: r.id }} search={{ tab: undefined }} label={r.name} description={r.objectLabel} />
                ))}
              </nav>
            </>
          )}
        </AppShell.Section>
        {me.isAdmin && (
          <AppShell.Section>
            <Divider my="sm" />
            <nav aria-label="Settings">
              <NavLinkLink to="/settings/objects" label="Objects & fields" active={isActive('/settings/objects')} />
              <NavLinkLink to="/settings/users" label="Users" active={isActive('/settings/users')} />
              <NavLinkLink to="/settings/roles" label="Roles" active={isActive('/settings/roles')} />
              <NavLinkLink to="/settings/profiles" label="Profiles" active={isActive('/settings/profiles')} />
              <NavLinkLink to="/settings/sharing" label="Sharing" active={isActive('/settings/sharing')} />
              <NavLinkLink to="/settings/lead-assignment" label="Lead assignment" active={isActive('/settings/lead-assignment')} />
              <NavLinkLink to="/settings/tokens" label="API tokens" active={isActive('/settings/tokens')} />
              <NavLinkLink to="/settings/integration-clients" label="Integration clients" active={isActive('/settings/integration-clients')} />
              <NavLinkLink to="/settings/single-sign-on" label="Single sign-on" active={isActive('/settings/single-sign-on')} />
              <NavLinkLink to="/settings/approval-processes" label="Approval processes" active={isActive('/settings/approval-processes')} />
              <NavLinkLink to="/settings/jobs" label="Jobs" active={isActive('/settings/jobs')} />
              <NavLinkLink to="/imports" label="Imports" active={isActive('/imports')} />
              <NavLinkLink to="/recycle-bin" label="Recycle bin" active={isActive('/recycle-bin')} />
            </nav>
          </AppShell.Section>
        )}
        {!me.isAdmin && (
          <AppShell.Section>
            <Divider my="sm" />
            <NavLinkLink to="/settings/tokens" label="API tokens" active={isActive('/settings/tokens')} />
            <NavLinkLink to="/imports" label="Imports" active={isActive('/imports')} />
            <NavLinkLink to="/recycle-bin" label="Recycle bin" active={isActive('/recycle-bin')} />
          </AppShell.Section>
        )}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

let cached = recentItems();
let cachedJson = JSON.stringify(cached);
function recentItemsSnapshot() {
  const next = recentItems();
  const json = JSON.stringify(next);
  if (json !== cachedJson) {
    cached = next;
    cachedJson = json;
  }
  return cached;
}
