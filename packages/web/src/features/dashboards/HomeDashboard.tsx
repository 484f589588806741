import { Paper, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../components/links';
import { dashboardsApi } from './api';
import { DashboardView } from './DashboardView';

/** The home page's dashboard: the one an admin chose for the viewer's profile, run as the viewer; nothing if none. */
export function HomeDashboard() {
  const home = useQuery({ queryKey: ['dashboards', 'home'], queryFn: dashboardsApi.home, retry: false });
  const dashboard = home.data?.dashboard;
  if (!dashboard) return null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="home-dashboard-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="home-dashboard-title"><AnchorLink to="/dashboards/$id" params={{ id: dashboard.id }} search={{ edit: undefined }}>{dashboard.name}</AnchorLink></Title>
        <DashboardView dashboard={dashboard} />
      </Stack>
    </Paper>
  );
}
