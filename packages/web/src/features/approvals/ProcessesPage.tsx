import { useState } from 'react';
import { Alert, Button, Group, List, Modal, Paper, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import { AnchorLink, ButtonLink } from '../../components/links';
import { Loading } from '../../components/PageState';
import { approvalsApi, processesKey, processInput, type ApprovalProcess } from './api';

export const PROCESSES_PATH = '/settings/approval-processes';

/**
 * Settings → Approval processes (admins; issue 14 item 11, docs/automation.md#approvals): every
 * process by object and order with its steps, switched on and off in place, deleted after a
 * confirmation; "New process" and each name open the builder (ProcessBuilderPage).
 */
export function ApprovalProcessesPage() {
  const qc = useQueryClient();
  const { byName } = useMetadata();
  const processes = useQuery({ queryKey: processesKey, queryFn: approvalsApi.processes });
  const [deleting, setDeleting] = useState<ApprovalProcess | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const denied = processes.error instanceof ApiError && processes.error.status === 403;
  const rows = processes.data;
  const refresh = () => qc.invalidateQueries({ queryKey: ['approvals'] });

  const toggle = async (p: ApprovalProcess, active: boolean) => {
    setBusy(p.id);
    try {
      await approvalsApi.saveProcess({ ...processInput(p), active }, p.id);
      notifications.show({ color: 'green', message: `${p.label} is ${active ? 'active' : 'inactive'}` });
      await refresh();
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    } finally {
      setBusy(null);
    }
  };
  const remove = async () => {
    const p = deleting!;
    try {
      await approvalsApi.deleteProcess(p.id);
      setDeleting(null);
      notifications.show({ message: `${p.label} deleted` });
      await refresh();
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };

  return (
    <Stack gap="md" maw={1100}>
      <Group justify="space-between">
        <div>
          <Title order={1}>Approval processes</Title>
          <Text size="sm" c="dimmed">A record is submitted, locked, and answered by each step's approvers.</Text>
        </div>
        {rows && rows.length > 0 && <ButtonLink to={`${PROCESSES_PATH}/new`}>New process</ButtonLink>}
      </Group>
      {denied ? <Alert color="gray" role="status" title="Administrators only">Approval processes are set up by administrators.</Alert>
        : processes.error ? <Alert color="red" role="alert">{errorMessage(processes.error)}</Alert>
          : !rows ? <Loading label="Loading the approval processes" />
            : rows.length === 0 ? (
              <Paper withBorder p="lg" component="section" aria-labelledby="no-processes">
                <Title order={2} size="h4" id="no-processes" mb="xs">No approval processes yet</Title>
                <Text size="sm" mb="xs">An approval process makes records of one object wait for approval before they count — a big discount, a key account, an expense. It sets:</Text>
                <List size="sm" mb="md">
                  <List.Item><b>Entry criteria</b>: which records it applies to (all when empty).</List.Item>
                  <List.Item><b>Submitters</b>: who may submit a record — its owner, anyone who may edit it, a role, a group or a user.</List.Item>
                  <List.Item><b>Steps</b>, in order: each with its approvers (a user, the submitter's manager, a role, a group), answered by the first of them or by all.</List.Item>
                  <List.Item><b>Field updates</b> when a record is submitted, approved, rejected or recalled.</List.Item>
                </List>
                <Text size="sm" mb="md">While a request is pending the record is locked; only administrators can change it.</Text>
                <ButtonLink to={`${PROCESSES_PATH}/new`}>New process</ButtonLink>
              </Paper>
            ) : (
              <Table.ScrollContainer minWidth={720}>
                <Table striped aria-label="Approval processes">
                  <Table.Thead>
                    <Table.Tr><Table.Th>Process</Table.Th><Table.Th>Object</Table.Th><Table.Th>Active</Table.Th><Table.Th>Order</Table.Th><Table.Th>Steps</Table.Th><Table.Th><span className="sr-only">Actions</span></Table.Th></Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((p) => (
                      <Table.Tr key={p.id} data-process={p.name}>
                        <Table.Td>
                          <AnchorLink to={`${PROCESSES_PATH}/$id`} params={{ id: p.id }}>{p.label}</AnchorLink>
                          <Text size="xs" c="dimmed"><code>{p.name}</code></Text>
                        </Table.Td>
                        <Table.Td>{byName(p.object)?.label ?? p.object}</Table.Td>
                        <Table.Td>
                          <Switch checked={p.active} disabled={busy === p.id} onChange={(e) => void toggle(p, e.currentTarget.checked)} aria-label={`Active: ${p.label}`} />
                        </Table.Td>
                        <Table.Td>{p.sortOrder}</Table.Td>
                        <Table.Td>{p.steps.length}</Table.Td>
                        <Table.Td>
                          <Group gap="xs" justify="flex-end" wrap="nowrap">
                            <ButtonLink size="compact-sm" variant="subtle" to={`${PROCESSES_PATH}/$id`} params={{ id: p.id }} aria-label={`Edit ${p.label}`}>Edit</ButtonLink>
                            <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(p)} aria-label={`Delete ${p.label}`}>Delete</Button>
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={`Delete ${deleting?.label ?? 'the process'}?`} centered>
        <Text size="sm" mb="md">Records can no longer be submitted to it, and requests still pending on it can only be recalled. To stop new submissions but let pending requests finish, deactivate it instead.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDeleting(null)}>Cancel</Button>
          <Button color="red" onClick={() => void remove()}>Delete</Button>
        </Group>
      </Modal>
    </Stack>
  );
}
