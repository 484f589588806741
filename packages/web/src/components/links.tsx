import { Anchor, Button, Card, Menu, NavLink, Text, type AnchorProps, type ButtonProps, type CardProps, type MenuItemProps, type NavLinkProps, type TextProps } from '@mantine/core';
import { createLink } from '@tanstack/react-router';
import type { AnchorHTMLAttributes, Ref } from 'react';

/**
 * Mantine components as type-safe router links (TanStack Router's createLink): the route's
 * params and search are checked, and the rendered element is a real <a href>.
 */
type A = AnchorHTMLAttributes<HTMLAnchorElement> & { ref?: Ref<HTMLAnchorElement> };

export const AnchorLink = createLink((props: AnchorProps & A) => <Anchor component="a" {...props} />);
export const ButtonLink = createLink((props: ButtonProps & A) => <Button component="a" {...props} />);
export const NavLinkLink = createLink((props: NavLinkProps & A) => <NavLink component="a" {...props} />);
export const CardLink = createLink((props: CardProps & A) => <Card component="a" {...props} />);
export const TextLink = createLink((props: TextProps & A) => <Text component="a" {...props} />);
export const MenuItemLink = createLink((props: MenuItemProps & A) => <Menu.Item component="a" {...props} />);
