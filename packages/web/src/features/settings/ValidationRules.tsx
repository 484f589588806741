import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, Paper, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ApiError, errorMessage } from '../../api/client';
import { useApiForm } from '../../lib/useApiForm';
import { FormSummary } from '../../components/FormSummary';
import { isEditable, metadataApi, useInvalidateMetadata } from '../../api/metadata';
import type { Condition, ObjectDef, ValidationRule } from '../../api/types';
import { FilterBuilder } from '../../components/FilterBuilder';

/** Validation rules: a record must satisfy the condition to be saved; otherwise the message shows. */
export function ValidationRules({ object }: { object: ObjectDef }) {
  const [editing, setEditing] = useState<ValidationRule | 'new' | null>(null);
  const invalidate = useInvalidateMetadata();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="rules-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="rules-title">Validation rules</Title>
        <Button size="xs" onClick={() => setEditing('new')}>New rule</Button>
      </Group>
      {object.validationRules.length === 0 ? (
        <Text size="sm" c="dimmed">No rules. A rule states a condition every saved record must meet.</Text>
      ) : (
        <div className="list-table-wrap">
          <Table aria-label="Validation rules">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Message</Table.Th><Table.Th>Field</Table.Th><Table.Th>Status</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {object.validationRules.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{r.name}</Table.Td>
                  <Table.Td>{r.message}</Table.Td>
                  <Table.Td>{r.field ? object.fields.find((f) => f.apiName === r.field)?.label ?? r.field : '—'}</Table.Td>
                  <Table.Td><Badge variant="light" color={r.active ? 'green' : 'gray'}>{r.active ? 'Active' : 'Inactive'}</Badge></Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-xs" variant="default" onClick={() => setEditing(r)} aria-label={`Edit rule ${r.name}`}>Edit</Button>
                      <Button size="compact-xs" variant="subtle" color="red" aria-label={`Delete rule ${r.name}`} onClick={async () => {
                        try {
                          await metadataApi.deleteRule(object.apiName, r.id);
                          await invalidate();
                        } catch (e) {
                          notifications.show({ color: 'red', message: errorMessage(e) });
                        }
                      }}>Delete</Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New validation rule' : 'Edit validation rule'} size="xl">
        {editing !== null && <RuleForm object={object} rule={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      </Modal>
    </Paper>
  );
}

function RuleForm({ object, rule, onClose }: { object: ObjectDef; rule?: ValidationRule; onClose: () => void }) {
  const invalidate = useInvalidateMetadata();
  const [name, setName] = useState(rule?.name ?? '');
  const [message, setMessage] = useState(rule?.message ?? '');
  const [field, setField] = useState<string | null>(rule?.field ?? null);
  const [active, setActive] = useState(rule?.active ?? true);
  const [condition, setCondition] = useState<Condition | null>(rule?.condition ?? null);
  const [missing, setMissing] = useState(false);
  const form = useApiForm({
    fields: ['name', 'message', 'field'],
    submit: async () => {
      if (rule) await metadataApi.updateRule(object.apiName, rule.id, { name, message, condition: condition!, field: field ?? null, active });
      else await metadataApi.createRule(object.apiName, { name, message, condition: condition!, ...(field ? { field } : {}) });
    },
    onSuccess: async () => {
      await invalidate();
      onClose();
    },
  });
  const errors = form.errors;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    // A rule needs a condition: said here, before asking the server.
    setMissing(!condition);
    if (condition) form.onSubmit();
  };

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate>
      <Stack>
        {missing && <Alert color="red" role="alert">Add at least one condition.</Alert>}
        {/* The condition's own errors (condition.and[0].value…) have no single field: the summary says them. */}
        <FormSummary summary={form.summary} errors={errors} />
        <TextInput label="Rule name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
        <div>
          <Text size="sm" fw={500}>A record can be saved only when</Text>
          <Paper withBorder p="sm" mt={4}>
            <FilterBuilder object={object} value={condition} onChange={setCondition} label="Rule condition" />
          </Paper>
        </div>
        <TextInput label="Error message" required value={message} onChange={(e) => setMessage(e.currentTarget.value)} error={errors.message} description="Shown to the user when a record breaks the rule." />
        <Select label="Show the message at field" data={object.fields.filter(isEditable).map((f) => ({ value: f.apiName, label: f.label }))} value={field} onChange={setField} clearable placeholder="At the top of the form" error={errors.field} searchable comboboxProps={{ withinPortal: true }} />
        {rule && <Switch label="Active" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={form.pending}>Save rule</Button>
        </Group>
      </Stack>
    </form>
  );
}
