import { useState } from 'react';
import { Badge, Button, Group, Modal, Paper, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { FormModal } from '../../components/FormModal';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';
import { metadataApi, useInvalidateMetadata, useMetadata } from '../../api/metadata';
import { Loading } from '../../components/PageState';
import { AdminOnly, toApiName } from './AdminOnly';
import { AnchorLink } from '../../components/links';

export function ObjectsSettingsPage() {
  return (
    <AdminOnly>
      <ObjectsList />
    </AdminOnly>
  );
}

function ObjectsList() {
  const { objects, isLoading } = useMetadata();
  const [creating, setCreating] = useState(false);
  if (isLoading) return <Loading />;
  const sorted = [...objects].sort((a, b) => a.navOrder - b.navOrder);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Objects & fields</Title>
        <Button onClick={() => setCreating(true)}>New object</Button>
      </Group>
      <Paper withBorder>
        <div className="list-table-wrap">
          <Table verticalSpacing="sm" aria-label="Objects">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Object</Table.Th>
                <Table.Th>API name</Table.Th>
                <Table.Th>Fields</Table.Th>
                <Table.Th>Kind</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map((o) => (
                <Table.Tr key={o.apiName}>
                  <Table.Td>
                    <AnchorLink to="/settings/objects/$object" params={{ object: o.apiName }}>{o.label}</AnchorLink>
                  </Table.Td>
                  <Table.Td><code>{o.apiName}</code></Table.Td>
                  <Table.Td>{o.fields.length}</Table.Td>
                  <Table.Td><Badge variant="light" color={o.standard ? 'gray' : 'indigo'}>{o.standard ? 'Standard' : 'Custom'}</Badge></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </Paper>
      <NewObjectModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function NewObjectModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [label, setLabel] = useState('');
  const [pluralLabel, setPluralLabel] = useState('');
  const [apiName, setApiName] = useState('');
  const [apiTouched, setApiTouched] = useState(false);
  const [pluralTouched, setPluralTouched] = useState(false);
  const [description, setDescription] = useState('');
  const invalidate = useInvalidateMetadata();
  const navigate = useNavigate();
  const form = useApiForm({
    fields: ['label', 'pluralLabel', 'apiName', 'description'],
    submit: () => metadataApi.createObject({ apiName, label, pluralLabel, ...(description ? { description } : {}) }),
    onSuccess: async (o) => {
      await invalidate();
      notifications.show({ color: 'green', message: `Object ${o.label} created` });
      onClose();
      navigate({ to: '/settings/objects/$object', params: { object: o.apiName } });
    },
  });
  const errors = form.errors;

  return (
    <FormModal opened={opened} onClose={onClose} title="New custom object" dirty={!!(label || pluralLabel || apiName || description)}>
      <form ref={form.formRef} onSubmit={form.onSubmit}>
        <Stack>
          <FormSummary summary={form.summary} errors={errors} />
          <TextInput
            label="Label"
            required
            data-autofocus
            value={label}
            error={errors.label}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setLabel(v);
              if (!apiTouched) setApiName(toApiName(v));
              if (!pluralTouched) setPluralLabel(v ? `${v}s` : '');
            }}
          />
          <TextInput label="Plural label" required value={pluralLabel} error={errors.pluralLabel} onChange={(e) => { setPluralTouched(true); setPluralLabel(e.currentTarget.value); }} />
          <TextInput label="API name" required value={apiName} error={errors.apiName} description="Lower snake case; cannot change later." onChange={(e) => { setApiTouched(true); setApiName(e.currentTarget.value); }} />
          <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <Text size="sm" c="dimmed">A text field “{label || 'Object'} name” is created as the record name.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={form.pending}>Create object</Button>
          </Group>
        </Stack>
      </form>
    </FormModal>
  );
}
