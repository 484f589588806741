import { useEffect, useMemo, useState } from 'react';
import { Box, Alert, Badge, Button, Grid, Group, Modal, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { errorMessage } from '../../api/client';
import { fieldOf, useMetadata } from '../../api/metadata';
import { deleteRecord, getRecord, restoreRecord } from '../../api/records';
import type { ObjectDef, RecordData } from '../../api/types';
import { ErrorState, Loading } from '../../components/PageState';
import { NotFound } from '../../components/NotFound';
import { RecordForm } from '../../components/RecordForm';
import { FieldValue } from '../../components/FieldValue';
import { pushRecent, removeRecent } from '../../lib/recent';
import { sectionsOf } from '../../lib/sections';
import { EditableField } from './EditableField';
import { HistoryTab } from './HistoryTab';
import { relatedListsOf } from './RelatedList';
import { RelatedTab, relatedTotal } from './RelatedTab';
import { getRelatedCounts } from '../../api/records';
import { ButtonLink } from '../../components/links';
import { recordExtensionsFor, type RecordSlotProps } from '../../lib/extensions';
import { TimelinePanel } from '../timeline/TimelinePanel';
import { QuickActions } from '../timeline/QuickActions';
import { timelineKey } from '../../api/activities';

export function RecordPage({ object, id, tab }: { object: string; id: string; tab?: string }) {
  const { byName, isLoading } = useMetadata();
  const def = byName(object);
  if (isLoading) return <Loading />;
  if (!def) return <NotFound what="object" />;
  return <RecordView object={def} id={id} tab={tab} />;
}

function RecordView({ object, id, tab }: { object: ObjectDef; id: string; tab?: string }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { objects } = useMetadata();
  const key = ['record', object.apiName, id];
  const q = useQuery({ queryKey: key, queryFn: () => getRecord(object.apiName, id) });
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const related = useMemo(() => relatedListsOf(object, objects), [object, objects]);
  const relatedCounts = useQuery({ queryKey: ['records', object.apiName, id, 'related-counts'], queryFn: () => getRelatedCounts(object.apiName, id), enabled: related.length > 0 });

  const record = q.data;
  const name = record ? String(record[object.nameField] ?? record.id) : '';
  useEffect(() => {
    if (record) pushRecent({ object: object.apiName, id: record.id, name, objectLabel: object.label });
  }, [record, name, object]);

  if (q.isLoading) return <Loading />;
  if (q.error || !record) return <ErrorState error={q.error} what={object.label.toLowerCase()} />;

  const display = record._display ?? {};
  const sections = sectionsOf(object, { includeSystem: true });
  const keyFields = sections[0]!.fields.filter((f) => f.apiName !== object.nameField && f.type !== 'long_text').slice(0, 4);
  const onSaved = (r: RecordData) => {
    void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: ['records', object.apiName] });
    void qc.invalidateQueries({ queryKey: ['history', object.apiName, id] });
    // Stage, owner and status changes show on the timeline.
    void qc.invalidateQueries({ queryKey: timelineKey(object.apiName, id) });
    qc.setQueryData(key, (old: RecordData | undefined) => (old ? { ...old, ...r } : r));
  };

  const remove = async () => {
    setDeleteError(null);
    try {
      await deleteRecord(object.apiName, id);
      removeRecent(object.apiName, id);
      void qc.invalidateQueries({ queryKey: ['records', object.apiName] });
      setConfirmDelete(false);
      const toastId = `deleted-${id}`;
      notifications.show({
        id: toastId,
        message: (
          <Group gap="xs">
            <Text size="sm">{name} deleted.</Text>
            <Button size="compact-xs" variant="light" onClick={async () => {
              notifications.hide(toastId);
              try {
                await restoreRecord(object.apiName, id);
              } catch (e) {
                notifications.show({ color: 'red', message: errorMessage(e) });
                return;
              }
              void qc.invalidateQueries({ queryKey: ['records', object.apiName] });
              navigate({ to: '/o/$object/$id', params: { object: object.apiName, id }, search: { tab: undefined } });
            }}>Undo</Button>
          </Group>
        ),
      });
      navigate({ to: '/o/$object', params: { object: object.apiName }, search: { view: undefined } });
    } catch (e) {
      setDeleteError(errorMessage(e));
    }
  };

  // What features add to this object's page (lib/extensions.ts); the page names no object.
  const extensions = recordExtensionsFor(object.apiName);
  const slot: RecordSlotProps = { object, record, id, name, display, onSaved };
  // Records only Meridian's commands write (payments, run logs) are neither edited nor deleted here.
  const readOnly = object.writtenBySystem === true || extensions.some((e) => e.readOnly?.(record));
  const undeletable = object.writtenBySystem === true || extensions.some((e) => e.undeletable?.(record));
  const render = (part: 'Actions' | 'Header' | 'Summary' | 'Main' | 'Side') =>
    extensions.map((e, i) => {
      const Part = e[part];
      return Part ? <Part key={`${part}-${i}`} {...slot} /> : null;
    });

  const currentTab = tab ?? 'details';
  const setTab = (t: string | null) => navigate({ to: '/o/$object/$id', params: { object: object.apiName, id }, search: { tab: t === 'details' ? undefined : t ?? undefined }, replace: true });

  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <Stack gap={4}>
            <Group gap="xs">
              <Badge variant="light">{object.label}</Badge>
            </Group>
            <Title order={1}>{name}</Title>
          </Stack>
          <Group gap="xs">
            {render('Actions')}
            {object.mergeable && !readOnly && (
              <ButtonLink variant="default" to="/merge/$object" params={{ object: object.apiName }} search={{ ids: id }}>Merge</ButtonLink>
            )}
            {!readOnly && <Button variant="default" onClick={() => setEditing((e) => !e)}>{editing ? 'Stop editing' : 'Edit'}</Button>}
            {!undeletable && <Button variant="light" color="red" onClick={() => setConfirmDelete(true)}>Delete</Button>}
          </Group>
        </Group>
        {keyFields.length > 0 && (
          <Group gap="xl" mt="sm" wrap="wrap">
            {keyFields.map((f) => (
              <Stack gap={0} key={f.apiName}>
                <Text size="xs" c="dimmed">{f.label}</Text>
                <FieldValue field={f} value={record[f.apiName]} record={record} display={display} />
              </Stack>
            ))}
          </Group>
        )}
        {render('Header')}
        {/* On a phone the activity column comes far below: its actions start the page instead. */}
        <Box hiddenFrom="md" mt="sm"><QuickActions object={object.apiName} id={id} recordName={name} /></Box>
      </Paper>
      {render('Summary')}
      <Grid>
        <Grid.Col span={{ base: 12, md: 7, lg: 8 }} miw={0}>
          {render('Main')}
          <Tabs value={currentTab} onChange={setTab} keepMounted={false} mt={extensions.some((e) => e.Main) ? 'md' : undefined}>
            <Tabs.List>
              <Tabs.Tab value="details">Details</Tabs.Tab>
              <Tabs.Tab value="related">Related{relatedTotal(relatedCounts.data)}</Tabs.Tab>
              <Tabs.Tab value="history">History</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="details" pt="md">
              {editing ? (
                <Paper withBorder p="md">
                  <RecordForm object={object} record={record} display={display} onSaved={(r) => { onSaved(r); setEditing(false); notifications.show({ color: 'green', message: 'Saved' }); }} onCancel={() => setEditing(false)} />
                </Paper>
              ) : (
                <Stack>
                  {sections.map((s) => (
                    <Paper withBorder p="md" key={s.title} component="section" aria-labelledby={`section-${s.title}`}>
                      <Title order={2} size="h4" mb="sm" id={`section-${s.title}`}>{s.title}</Title>
                      <div className="field-grid">
                        {s.fields.map((f) => readOnly ? (
                          <div key={f.apiName} data-field={f.apiName}>
                            <Text size="xs" c="dimmed">{f.label}</Text>
                            <FieldValue field={f} value={record[f.apiName]} record={record} display={display} />
                          </div>
                        ) : (
                          <EditableField key={f.apiName} object={object.apiName} field={f} record={record} display={display} onSaved={onSaved} />
                        ))}
                      </div>
                    </Paper>
                  ))}
                </Stack>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="related" pt="md">
              <RelatedTab parent={object} parentId={id} parentName={name} related={related} counts={relatedCounts} />
            </Tabs.Panel>
            <Tabs.Panel value="history" pt="md">
              <HistoryTab object={object} id={id} />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
        {/* The activity column: beside the tabs on wide screens, under them on phones. */}
        <Grid.Col span={{ base: 12, md: 5, lg: 4 }} miw={0}>
          <Stack>
            <TimelinePanel object={object} id={id} recordName={name} />
            {render('Side')}
          </Stack>
        </Grid.Col>
      </Grid>
      <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title={`Delete ${name}?`} centered>
        <Stack>
          {deleteError && <Alert color="red" role="alert">{deleteError}</Alert>}
          <Text size="sm">The record goes to the recycle bin; you can undo right after.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(false)}>Cancel</Button>
            <Button color="red" onClick={() => void remove()}>Delete</Button>
          </Group>
        </Stack>
      </Modal>
      <Text size="xs" c="dimmed">
        Last modified <FieldValue field={fieldOf(object, 'updated_at')!} value={record.updated_at} /> (version {record.version}) ·{' '}
        <Link to="/o/$object" params={{ object: object.apiName }} search={{ view: undefined }}>All {object.pluralLabel.toLowerCase()}</Link>
      </Text>
    </Stack>
  );
}
