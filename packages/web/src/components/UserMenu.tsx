import { Avatar, Menu, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { authApi } from '../api/auth';
import type { Me } from '../api/types';
import { MenuItemLink } from './links';

export function UserMenu({ me }: { me: Me }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const initials = (me.full_name || me.email).split(/\s+/).map((p) => p[0]).join('').slice(0, 2).toUpperCase();
  const signOut = async () => {
    await authApi.logout().catch(() => {});
    qc.clear();
    navigate({ to: '/login', search: { redirect: undefined } });
  };
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        {/* Named by hidden text, not aria-label: an aria-label must contain the visible initials. */}
        <UnstyledButton>
          <Avatar color="indigo" radius="xl" size="md" aria-hidden>{initials}</Avatar>
          <VisuallyHidden>User menu for {me.full_name || me.email}</VisuallyHidden>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.full_name || me.email}</Menu.Label>
        <MenuItemLink to="/o/$object/$id" params={{ object: 'user', id: me.id }} search={{ tab: undefined }}>My profile</MenuItemLink>
        <MenuItemLink to="/settings/notifications">Notifications</MenuItemLink>
        <MenuItemLink to="/settings/tokens">API tokens</MenuItemLink>
        <MenuItemLink to="/recycle-bin">Recycle bin</MenuItemLink>
        <Menu.Divider />
        <Menu.Item onClick={signOut}>Sign out</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
