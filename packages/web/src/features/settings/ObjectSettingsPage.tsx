import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, NumberInput, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { errorMessage } from '../../api/client';
import { isSystemField, metadataApi, useInvalidateMetadata, useMetadata } from '../../api/metadata';
import type { FieldDef, ObjectDef } from '../../api/types';
import { Loading } from '../../components/PageState';
import { NotFound } from '../../components/NotFound';
import { AdminOnly } from './AdminOnly';
import { FieldModal, TYPE_LABELS } from './FieldModal';
import { ValidationRules } from './ValidationRules';
import { AnchorLink, ButtonLink } from '../../components/links';

export function ObjectSettingsPage({ object }: { object: string }) {
  const { byName, isLoading } = useMetadata();
  const def = byName(object);
  if (isLoading) return <Loading />;
  if (!def) return <NotFound what="object" />;
  return (
    <AdminOnly>
      <ObjectSettings object={def} />
    </AdminOnly>
  );
}

function ObjectSettings({ object }: { object: ObjectDef }) {
  const [fieldModal, setFieldModal] = useState<FieldDef | 'new' | null>(null);
  const [deletingField, setDeletingField] = useState<FieldDef | null>(null);
  const [deletingObject, setDeletingObject] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const invalidate = useInvalidateMetadata();
  const navigate = useNavigate();
  const fields = object.fields.filter((f) => f.type !== 'id');

  const deleteField = async () => {
    if (!deletingField) return;
    try {
      await metadataApi.deleteField(object.apiName, deletingField.apiName);
      await invalidate();
      notifications.show({ message: `Field ${deletingField.label} deleted (restorable from the metadata recycle bin)` });
      setDeletingField(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const deleteObject = async () => {
    try {
      await metadataApi.deleteObject(object.apiName);
      await invalidate();
      notifications.show({ message: `Object ${object.label} deleted` });
      navigate({ to: '/settings/objects' });
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Stack>
      <Text size="sm"><AnchorLink to="/settings/objects">Objects & fields</AnchorLink> › {object.label}</Text>
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Title order={1}>{object.label}</Title>
          <Badge variant="light" color={object.standard ? 'gray' : 'indigo'}>{object.standard ? 'Standard' : 'Custom'}</Badge>
        </Group>
        <Group gap="xs">
          <ButtonLink variant="default"  to="/o/$object" params={{ object: object.apiName }} search={{ view: undefined }}>Open records</ButtonLink>
          {!object.standard && <Button variant="light" color="red" onClick={() => setDeletingObject(true)}>Delete object</Button>}
        </Group>
      </Group>
      {error && <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>{error}</Alert>}
      <ObjectProperties object={object} />
      <Paper withBorder p="md" component="section" aria-labelledby="fields-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="fields-title">Fields</Title>
          <Button size="xs" onClick={() => setFieldModal('new')}>New field</Button>
        </Group>
        <div className="list-table-wrap">
          <Table verticalSpacing="xs" aria-label="Fields">
            <Table.Thead>
              <Table.Tr><Table.Th>Label</Table.Th><Table.Th>API name</Table.Th><Table.Th>Type</Table.Th><Table.Th>Required</Table.Th><Table.Th>Unique</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {fields.map((f) => {
                const locked = isSystemField(f) || (f.readOnly && f.standard);
                return (
                  <Table.Tr key={f.apiName} data-field={f.apiName}>
                    <Table.Td>{f.label}</Table.Td>
                    <Table.Td><code>{f.apiName}</code></Table.Td>
                    <Table.Td>{TYPE_LABELS[f.type]}{f.lookup && f.type === 'lookup' ? ` → ${f.lookup.object}` : ''}</Table.Td>
                    <Table.Td>{f.required ? 'Yes' : ''}</Table.Td>
                    <Table.Td>{f.unique ? 'Yes' : ''}</Table.Td>
                    <Table.Td>
                      {!locked && (
                        <Group gap={4} wrap="nowrap">
                          <Button size="compact-xs" variant="default" onClick={() => setFieldModal(f)} aria-label={`Edit field ${f.label}`}>Edit</Button>
                          {!f.standard && <Button size="compact-xs" variant="subtle" color="red" onClick={() => setDeletingField(f)} aria-label={`Delete field ${f.label}`}>Delete</Button>}
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </div>
      </Paper>
      <ValidationRules object={object} />
      <FieldModal object={object} field={fieldModal === 'new' || fieldModal === null ? undefined : fieldModal} opened={fieldModal !== null} onClose={() => setFieldModal(null)} />
      <Modal opened={deletingField !== null} onClose={() => setDeletingField(null)} title={`Delete field ${deletingField?.label ?? ''}?`} centered>
        <Text size="sm" mb="md">The column and its values go to the metadata recycle bin.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDeletingField(null)}>Cancel</Button>
          <Button color="red" onClick={() => void deleteField()}>Delete field</Button>
        </Group>
      </Modal>
      <Modal opened={deletingObject} onClose={() => setDeletingObject(false)} title={`Delete object ${object.label}?`} centered>
        <Text size="sm" mb="md">All its records go with it to the metadata recycle bin.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDeletingObject(false)}>Cancel</Button>
          <Button color="red" onClick={() => void deleteObject()}>Delete object</Button>
        </Group>
      </Modal>
    </Stack>
  );
}

function ObjectProperties({ object }: { object: ObjectDef }) {
  const invalidate = useInvalidateMetadata();
  const [label, setLabel] = useState(object.label);
  const [pluralLabel, setPluralLabel] = useState(object.pluralLabel);
  const [description, setDescription] = useState(object.description ?? '');
  const [navOrder, setNavOrder] = useState<number>(object.navOrder);
  const [busy, setBusy] = useState(false);
  const dirty = label !== object.label || pluralLabel !== object.pluralLabel || description !== (object.description ?? '') || navOrder !== object.navOrder;
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await metadataApi.updateObject(object.apiName, { label, pluralLabel, description, navOrder });
      await invalidate();
      notifications.show({ color: 'green', message: 'Object saved' });
    } catch (err) {
      notifications.show({ color: 'red', message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="props-title">
      <Title order={2} size="h4" id="props-title" mb="sm">Properties</Title>
      <form onSubmit={save}>
        <div className="field-grid">
          <TextInput label="Label" value={label} onChange={(e) => setLabel(e.currentTarget.value)} />
          <TextInput label="Plural label" value={pluralLabel} onChange={(e) => setPluralLabel(e.currentTarget.value)} />
          <TextInput label="API name" value={object.apiName} readOnly disabled />
          <NumberInput label="Navigation order" value={navOrder} onChange={(v) => setNavOrder(Number(v) || 0)} />
          <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} style={{ gridColumn: '1 / -1' }} />
        </div>
        <Group justify="flex-end" mt="sm">
          <Button type="submit" disabled={!dirty} loading={busy}>Save properties</Button>
        </Group>
      </form>
    </Paper>
  );
}
