import { useState } from 'react';
import { Alert, Button, Checkbox, Group, NativeSelect, Paper, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi } from '../../api/admin';
import { errorMessage } from '../../api/client';
import { useMe } from '../../lib/useMe';
import { Loading } from '../../components/PageState';
import { ButtonLink } from '../../components/links';
import { analyticsApi } from '../analytics/api';
import { dashboardsApi, type Dashboard, type FilterName, type Widget } from './api';
import { AddWidget } from './AddWidget';
import { DashboardView } from './DashboardView';
import { ScheduleButton } from '../analytics/ReportDelivery';

const FILTERS: Array<{ value: FilterName; label: string }> = [{ value: 'dateRange', label: 'Date range' }, { value: 'owner', label: 'Owner' }, { value: 'team', label: 'Team' }, { value: 'pipeline', label: 'Pipeline' }];

/** A dashboard (/dashboards/$id; `?edit=true` opens the editor): its filters and widgets, run as the viewer. */
export function DashboardPage({ id, edit }: { id: string; edit: boolean }) {
  const dashboard = useQuery({ queryKey: ['dashboards', 'one', id], queryFn: () => dashboardsApi.get(id) });
  if (dashboard.isLoading) return <Loading />;
  if (dashboard.error || !dashboard.data) return <Alert color="red" title="The dashboard could not be loaded">{errorMessage(dashboard.error)}</Alert>;
  return <DashboardScreen key={`${dashboard.data.id}:${dashboard.data.updatedAt}:${edit}`} dashboard={dashboard.data} edit={edit} />;
}

function DashboardScreen({ dashboard, edit }: { dashboard: Dashboard; edit: boolean }) {
  const me = useMe().data;
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Widget[]>(dashboard.widgets);
  const [name, setName] = useState(dashboard.name);
  const [folder, setFolder] = useState(dashboard.folder ?? '');
  const [offered, setOffered] = useState<FilterName[]>(dashboard.filters.offered);
  const [groups, setGroups] = useState(dashboard.sharing.groups);
  const [roles, setRoles] = useState(dashboard.sharing.roles);
  const [errors, setErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const folders = useQuery({ queryKey: ['analytics', 'folders'], queryFn: analyticsApi.folders, enabled: edit });
  const mayEdit = !!me && (me.isAdmin || me.id === dashboard.ownerId);
  const setEdit = (on: boolean) => navigate({ to: '/dashboards/$id', params: { id: dashboard.id }, search: { edit: on || undefined } });

  const save = async () => {
    setSaving(true);
    setErrors([]);
    try {
      await dashboardsApi.replace(dashboard.id, { name, folder: folder || null, sharing: { groups, roles }, filters: { ...dashboard.filters, offered }, widgets: draft });
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
      notifications.show({ message: 'Dashboard saved' });
      setEdit(false);
    } catch (error) {
      const fields = (error as { body?: { errors?: Array<{ field: string; message: string }> } }).body?.errors;
      setErrors(fields?.length ? fields.map((e) => `${e.field}: ${e.message}`) : [errorMessage(error)]);
    } finally {
      setSaving(false);
    }
  };
  const remove = async () => {
    if (!window.confirm(`Delete the dashboard "${dashboard.name}"? Its reports stay.`)) return;
    try {
      await dashboardsApi.remove(dashboard.id);
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
      navigate({ to: '/dashboards' });
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    }
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div>
          <Title order={1}>{dashboard.name}</Title>
          {dashboard.description && <Text size="sm" c="dimmed">{dashboard.description}</Text>}
        </div>
        <Group gap="xs">
          <ButtonLink variant="subtle" to="/dashboards">All dashboards</ButtonLink>
          {!edit && <ScheduleButton target={{ kind: 'dashboard', id: dashboard.id, name: dashboard.name, ownerId: dashboard.ownerId }} />}
          {mayEdit && !edit && <Button variant="default" onClick={() => setEdit(true)}>Edit dashboard</Button>}
        </Group>
      </Group>
      {edit && (
        <Paper withBorder p="md" component="section" aria-labelledby="dash-edit-title">
          <Stack gap="sm">
            <Title order={2} size="h4" id="dash-edit-title">Edit dashboard</Title>
            <Group gap="xs" align="flex-end" wrap="wrap">
              <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} w={260} required />
              <NativeSelect label="Folder" value={folder} onChange={(e) => setFolder(e.currentTarget.value)} w={200}
                data={[{ value: '', label: 'No folder' }, ...(folders.data ?? []).map((f) => ({ value: f.id, label: f.name }))]} />
              <TagsInput label="Share with groups" description="Empty: only you (and admins)" value={groups} onChange={setGroups} w={240} />
              <TagsInput label="Share with roles" value={roles} onChange={setRoles} w={200} />
            </Group>
            <Group gap="md" role="group" aria-label="Filters offered">
              {FILTERS.map((f) => <Checkbox key={f.value} label={`Offer ${f.label.toLowerCase()} filter`} checked={offered.includes(f.value)}
                onChange={(e) => setOffered(e.currentTarget.checked ? [...offered, f.value] : offered.filter((o) => o !== f.value))} />)}
            </Group>
            <AddWidget widgets={draft} onAdd={(w) => setDraft([...draft, w])} />
            {errors.length > 0 && <Alert color="red" title="The dashboard was not saved">{errors.map((e) => <div key={e}>{e}</div>)}</Alert>}
            <Group gap="xs">
              <Button onClick={save} loading={saving}>Save dashboard</Button>
              <Button variant="default" onClick={() => setEdit(false)}>Cancel</Button>
              <Button variant="subtle" color="red" onClick={remove}>Delete dashboard</Button>
            </Group>
            {me?.isAdmin && <HomeForProfile dashboardId={dashboard.id} />}
          </Stack>
        </Paper>
      )}
      <DashboardView dashboard={dashboard} editing={edit} draft={edit ? draft : undefined}
        onLayout={setDraft} onRemove={(wid) => setDraft((list) => list.filter((x) => x.id !== wid))} />
    </Stack>
  );
}

/** Admins: make this dashboard the home page's dashboard of a profile. */
function HomeForProfile({ dashboardId }: { dashboardId: string }) {
  const profiles = useQuery({ queryKey: ['dashboards', 'profiles'], queryFn: adminApi.profiles });
  const homes = useQuery({ queryKey: ['dashboards', 'homes'], queryFn: dashboardsApi.homes });
  const qc = useQueryClient();
  const [profile, setProfile] = useState('');
  const current = (homes.data ?? []).filter((h) => h.dashboardId === dashboardId).map((h) => profiles.data?.find((p) => p.name === h.profile)?.label ?? h.profile);
  const apply = async () => {
    try {
      await dashboardsApi.setHome(profile, dashboardId);
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
      notifications.show({ message: 'Home dashboard set' });
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    }
  };
  return (
    <Group gap="xs" align="flex-end" wrap="wrap">
      <NativeSelect label="Home dashboard of the profile" w={240} value={profile} onChange={(e) => setProfile(e.currentTarget.value)}
        data={[{ value: '', label: 'Pick a profile' }, ...(profiles.data ?? []).map((p) => ({ value: p.name, label: p.label }))]} />
      <Button variant="default" onClick={apply} disabled={!profile}>Make home dashboard</Button>
      {current.length > 0 && <Text size="sm">Home of: {current.join(', ')}</Text>}
    </Group>
  );
}
