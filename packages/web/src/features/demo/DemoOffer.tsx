import { useState } from 'react';
import { Button, Group, Paper, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authApi } from '../../api/auth';
import { useMe } from '../../lib/useMe';
import { loadDemo } from './loadDemo';

/**
 * On an empty organisation, administrators are offered the demo organisation on the home page —
 * also those created from MERIDIAN_ADMIN_EMAIL, who never see the setup page that offers it first.
 */
export function DemoOffer() {
  const me = useMe().data;
  const qc = useQueryClient();
  const [started, setStarted] = useState(false);
  const state = useQuery({ queryKey: ['demo-offer'], enabled: !!me?.isAdmin, queryFn: () => authApi.seedDemoStatus(), staleTime: 60_000 });
  if (!me?.isAdmin || !state.data?.orgEmpty || state.data.state !== 'idle' || started) return null;
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="demo-offer-title">
      <Title order={2} size="h4" id="demo-offer-title">Your Meridian is empty</Title>
      <Text size="sm" c="dimmed" mb="sm">
        Load the demo organisation to look around: accounts with branches, contacts, leads, deals in every stage, and meetings, calls and tasks for this week.
        Or start with your own records.
      </Text>
      <Group gap="xs">
        <Button onClick={() => { setStarted(true); void loadDemo(qc); }}>Load demo data</Button>
      </Group>
    </Paper>
  );
}
