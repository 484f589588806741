import { useSyncExternalStore } from 'react';
import { Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMetadata } from '../../api/metadata';
import { recentItems, subscribeRecent } from '../../lib/recent';
import { AnchorLink, ButtonLink } from '../../components/links';

/** Records opened lately in this browser (lib/recent), newest first. */
export function RecentlyViewed() {
  // The stored JSON is the snapshot: a stable string, so React re-renders only on a real change.
  const json = useSyncExternalStore(subscribeRecent, () => localStorage.getItem('meridian.recent') ?? '[]');
  const items = json ? recentItems().slice(0, 6) : [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="recent-title">
      <Title order={2} size="h4" id="recent-title" mb="xs">Recently viewed</Title>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">Records you open appear here.</Text>
      ) : (
        <Stack gap={4}>
          {items.map((r) => (
            <AnchorLink key={`${r.object}/${r.id}`} size="sm" to="/o/$object/$id" params={{ object: r.object, id: r.id }} search={{ tab: undefined }}>
              {r.name} <Text span c="dimmed" size="xs">· {r.objectLabel}</Text>
            </AnchorLink>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

/** Quick access to every object in the navigation. */
export function GoTo() {
  const { objects } = useMetadata();
  const nav = objects.filter((o) => o.inNavigation !== false).sort((a, b) => a.navOrder - b.navOrder || a.label.localeCompare(b.label));
  if (!nav.length) return null;
  return (
    <Paper withBorder p="md" component="nav" aria-labelledby="goto-title">
      <Title order={2} size="h4" id="goto-title" mb="xs">Go to</Title>
      <Group gap={6}>
        {nav.map((o) => (
          <ButtonLink key={o.apiName} size="compact-sm" variant="default" to="/o/$object" params={{ object: o.apiName }} search={{ view: undefined }}>
            {o.pluralLabel}
          </ButtonLink>
        ))}
      </Group>
    </Paper>
  );
}
