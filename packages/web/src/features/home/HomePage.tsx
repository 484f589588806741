import { useSyncExternalStore } from 'react';
import { SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMetadata } from '../../api/metadata';
import { useMe } from '../../lib/useMe';
import { recentItems, subscribeRecent } from '../../lib/recent';
import { AnchorLink, CardLink } from '../../components/links';

export function HomePage() {
  const me = useMe().data;
  const { objects } = useMetadata();
  const recent = useSyncExternalStore(subscribeRecent, () => localStorage.getItem('meridian.recent') ?? '[]');
  const items = recent ? recentItems() : [];
  const nav = [...objects].sort((a, b) => a.navOrder - b.navOrder);
  return (
    <Stack>
      <Title order={1}>Welcome{me?.first_name ? `, ${me.first_name}` : ''}</Title>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
        {nav.map((o) => (
          <CardLink key={o.apiName} withBorder  to="/o/$object" params={{ object: o.apiName }} search={{ view: undefined }}>
            <Text fw={600}>{o.pluralLabel}</Text>
            {o.description && <Text size="sm" c="dimmed">{o.description}</Text>}
          </CardLink>
        ))}
      </SimpleGrid>
      {items.length > 0 && (
        <>
          <Title order={2} size="h3">Recently viewed</Title>
          <Stack gap={4}>
            {items.map((r) => (
              <AnchorLink key={`${r.object}/${r.id}`} to="/o/$object/$id" params={{ object: r.object, id: r.id }} search={{ tab: undefined }}>
                {r.name} <Text span c="dimmed" size="sm">· {r.objectLabel}</Text>
              </AnchorLink>
            ))}
          </Stack>
        </>
      )}
    </Stack>
  );
}
