import { useEffect, useMemo, useState } from 'react';
import { Alert, Badge, Button, Grid, Group, Modal, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
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
import { RelatedList, relatedListsOf } from './RelatedList';
import { AccountRollup, AccountTree, TeamPanel } from '../sales/AccountPanels';
import { ConvertLeadDialog } from '../sales/ConvertLeadDialog';
import { CopyBookingLink } from '../booking/CopyBookingLink';
import { CLOSED_STAGES, CloseOpportunityDialog } from '../sales/CloseOpportunityDialog';
import { MERGEABLE } from '../../api/sales';
import { AnchorLink, ButtonLink } from '../../components/links';
import { TimelinePanel } from '../timeline/TimelinePanel';
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
  const [converting, setConverting] = useState(false);
  const [closing, setClosing] = useState(false);
  const related = useMemo(() => relatedListsOf(object, objects), [object, objects]);

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

  const isLead = object.apiName === 'lead';
  const converted = isLead && (record.status === 'converted' || !!record.converted_at);
  const isOpp = object.apiName === 'opportunity';
  const oppClosed = isOpp && typeof record.stage === 'string' && record.stage in CLOSED_STAGES;
  const convertedLinks = converted
    ? ([['account', 'converted_account', 'Account'], ['contact', 'converted_contact', 'Contact'], ['opportunity', 'converted_opportunity', 'Opportunity']] as const).filter(([, f]) => typeof record[f] === 'string')
    : [];

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
            {isLead && !converted && <Button onClick={() => setConverting(true)}>Convert</Button>}
            {object.apiName === 'booking_link' && typeof record.slug === 'string' && <CopyBookingLink slug={record.slug} />}
            {isOpp && !oppClosed && <Button onClick={() => setClosing(true)}>Close deal</Button>}
            {MERGEABLE.includes(object.apiName) && !converted && (
              <ButtonLink variant="default" to="/merge/$object" params={{ object: object.apiName }} search={{ ids: id }}>Merge</ButtonLink>
            )}
            {!converted && <Button variant="default" onClick={() => setEditing((e) => !e)}>{editing ? 'Stop editing' : 'Edit'}</Button>}
            <Button variant="light" color="red" onClick={() => setConfirmDelete(true)}>Delete</Button>
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
        {converted && (
          <Alert color="blue" mt="sm" title="Converted lead" role="status">
            <Text size="sm">This lead was converted{record.converted_at ? ` on ${String(record.converted_at).slice(0, 10)}` : ''} and is read-only.</Text>
            <Group gap="md" mt={4}>
              {convertedLinks.map(([obj, f, label]) => (
                <AnchorLink key={f} size="sm" to="/o/$object/$id" params={{ object: obj, id: String(record[f]) }} search={{ tab: undefined }}>
                  {label}: {display[obj]?.[String(record[f])] ?? 'open'}
                </AnchorLink>
              ))}
            </Group>
          </Alert>
        )}
      </Paper>
      {object.apiName === 'account' && <AccountRollup id={id} />}
      <Grid>
        <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
          <Tabs value={currentTab} onChange={setTab} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="details">Details</Tabs.Tab>
              <Tabs.Tab value="related">Related ({related.length})</Tabs.Tab>
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
                        {s.fields.map((f) => converted ? (
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
              <Stack>
                {related.length === 0 && <Text c="dimmed">No other object points to {object.pluralLabel.toLowerCase()}.</Text>}
                {related.map((r) => <RelatedList key={`${r.object.apiName}.${r.field.apiName}`} parent={object} parentId={id} parentName={name} child={r.object} field={r.field} />)}
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="history" pt="md">
              <HistoryTab object={object} id={id} />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
        {/* The activity column: beside the tabs on wide screens, under them on phones. */}
        <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
          <Stack>
            <TimelinePanel object={object} id={id} recordName={name} />
            {object.apiName === 'account' && (
              <>
                <AccountTree id={id} />
                <TeamPanel object="account" id={id} />
              </>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      {isLead && !converted && (
        <ConvertLeadDialog lead={record} opened={converting} onClose={() => setConverting(false)} onConverted={(r) => {
          setConverting(false);
          void qc.invalidateQueries({ queryKey: key });
          void qc.invalidateQueries({ queryKey: ['records'] });
          notifications.show({ color: 'green', message: `${name} converted` });
          if (r.opportunity) navigate({ to: '/o/$object/$id', params: { object: 'opportunity', id: r.opportunity.id }, search: { tab: undefined } });
          else navigate({ to: '/o/$object/$id', params: { object: 'account', id: r.account.id }, search: { tab: undefined } });
        }} />
      )}
      {isOpp && (
        <CloseOpportunityDialog record={record} opened={closing} onClose={() => setClosing(false)} onClosed={(r) => {
          setClosing(false);
          onSaved(r);
          notifications.show({ color: 'green', message: `${name} closed` });
        }} />
      )}
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
