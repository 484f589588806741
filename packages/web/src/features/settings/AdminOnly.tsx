import type { ReactNode } from 'react';
import { Alert } from '@mantine/core';
import { useMe } from '../../lib/useMe';

export function AdminOnly({ children }: { children: ReactNode }) {
  const me = useMe().data;
  if (!me?.isAdmin) return <Alert color="yellow" title="Administrators only" m="md">Ask an administrator to change objects and fields.</Alert>;
  return <>{children}</>;
}

/** snake_case API name from a label: "Service log" → service_log. */
export function toApiName(label: string) {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40);
}
