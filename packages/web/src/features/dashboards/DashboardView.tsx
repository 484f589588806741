import { useRef, useState } from 'react';
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { Loading } from '../../components/PageState';
import { formatDateTime } from '../../lib/format';
import { dashboardsApi, type Dashboard, type RunFilters, type Widget } from './api';
import { DashboardGrid } from './DashboardGrid';
import { FilterBar } from './FilterBar';

/**
 * A dashboard's filter bar and grid, run as the viewer: one request answers every widget (each
 * with its own error if its report cannot run). Edit mode passes the draft layout and handlers.
 */
export function DashboardView({ dashboard, editing = false, draft, onLayout, onRemove }: {
  dashboard: Dashboard;
  editing?: boolean;
  draft?: Widget[];
  onLayout?: (widgets: Widget[]) => void;
  onRemove?: (id: string) => void;
}) {
  const [filters, setFilters] = useState<RunFilters>({});
  // Refresh asks the server to run anew even when it kept a slow answer for this viewer.
  const [refreshes, setRefreshes] = useState(0);
  const refreshNext = useRef(false);
  const run = useQuery({
    queryKey: ['dashboards', 'run', dashboard.id, dashboard.updatedAt, filters, refreshes],
    queryFn: ({ signal }) => {
      const refresh = refreshNext.current;
      refreshNext.current = false;
      return dashboardsApi.run(dashboard.id, filters, { signal, refresh });
    },
    placeholderData: (p) => p, retry: false,
  });
  const refresh = () => {
    refreshNext.current = true;
    setRefreshes((n) => n + 1);
  };
  const answers = new Map((run.data?.widgets ?? []).map((w) => [w.id, w]));
  return (
    <Stack gap="sm">
      {dashboard.filters.offered.length > 0 && <FilterBar offered={dashboard.filters.offered} value={filters} onChange={setFilters} />}
      {run.data && (
        <Group gap="xs" justify="space-between" wrap="wrap">
          <Text size="sm" c="dimmed" aria-live="polite">
            {run.data.period ? `${run.data.period.from} – ${run.data.period.to}` : ''}
            {run.data.cached ? `${run.data.period ? ' · ' : ''}As of ${formatDateTime(run.data.asOf)}` : ''}
          </Text>
          {!editing && <Button size="compact-sm" variant="subtle" onClick={refresh} loading={run.isFetching}>Refresh</Button>}
        </Group>
      )}
      {run.error && <Alert color="red" title="The dashboard could not be run">{errorMessage(run.error)}</Alert>}
      {run.isLoading && <Loading />}
      {(run.data || editing) && (
        (draft ?? dashboard.widgets).length === 0
          ? <Text c="dimmed">No widgets yet.{editing ? ' Add one below.' : ''}</Text>
          : <DashboardGrid widgets={draft ?? dashboard.widgets} answers={answers} editing={editing} onLayout={onLayout} onRemove={onRemove} />
      )}
    </Stack>
  );
}
