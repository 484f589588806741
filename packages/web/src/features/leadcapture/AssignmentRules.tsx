import { useState } from 'react';
import { Alert, Autocomplete, Badge, Button, Checkbox, Group, Modal, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMetadata } from '../../api/metadata';
import type { Condition, DisplayMap, RecordData } from '../../api/types';
import { FilterBuilder } from '../../components/FilterBuilder';
import { LookupSelect } from '../../components/LookupSelect';
import { ErrorState, Loading } from '../../components/PageState';
import { conditionInWords, EditorButtons, nameOf, nextOrder, OrderedTable, parseCondition, useField, useOrderedRecords, useRecordSave, useRefresh, useReorder } from './assignmentShared';

const TARGETS = [
  { value: 'user', label: 'A user' },
  { value: 'queue', label: 'A queue' },
  { value: 'round_robin', label: 'Round robin' },
  { value: 'territory', label: 'Territory' },
];

/** What a rule gives its leads to, in words. */
function targetInWords(rule: RecordData, display: DisplayMap | undefined): string {
  if (rule.target === 'user') return `User: ${nameOf(display, 'user', rule.user)}`;
  if (rule.target === 'queue') return `Queue: ${String(rule.queue ?? '—')}`;
  if (rule.target === 'round_robin') return `Round robin in ${nameOf(display, 'assignment_group', rule.assignment_group)}`;
  return 'The lead’s territory';
}

/**
 * The Rules tab: the assignment rules in the order they are tried (first match decides), each
 * with its condition and target in words, moved up and down (the new order is saved), edited in
 * a dialog with the filter builder over lead fields.
 */
export function AssignmentRulesTab() {
  const { byName } = useMetadata();
  const lead = byName('lead');
  const rules = useOrderedRecords('assignment_rule');
  const refresh = useRefresh();
  const list = rules.data?.data ?? [];
  const reorder = useReorder('assignment_rule', list, refresh);
  const [editing, setEditing] = useState<RecordData | 'new' | null>(null);
  if (rules.isPending || !lead) return <Loading />;
  if (rules.isError) return <ErrorState error={rules.error} what="the assignment rules" />;
  const queues = [...new Set(list.map((r) => String(r.queue ?? '')).filter(Boolean))];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={700}>A new lead without an owner goes through the active rules from the top: the first rule whose condition the lead meets and that finds someone decides. Reps out of office today are skipped.</Text>
        <Button onClick={() => setEditing('new')}>New rule</Button>
      </Group>
      {reorder.error && <Alert color="red" title="The new order was not saved">{reorder.error}</Alert>}
      {list.length === 0 ? (
        <Paper withBorder p="lg">
          <Title order={2} size="h4">No assignment rules yet</Title>
          <Text mt="xs">Without rules, leads from forms, e-mail and imports have no owner. Add rules in the order they should be tried — the first one that matches a lead decides who gets it, e.g. a rule for partners' leads first, then one giving everyone else round robin to the inside sales team.</Text>
          <Button mt="md" onClick={() => setEditing('new')}>New rule</Button>
        </Paper>
      ) : (
        <OrderedTable label="Assignment rules" headers={['Condition', 'Assign to', 'Active']} records={list} reorder={reorder} onEdit={setEditing}
          cells={(r) => [
            conditionInWords(parseCondition(r.condition), lead, byName),
            targetInWords(r, rules.data?.display),
            r.active === false ? <Badge color="gray" variant="light">Inactive</Badge> : <Badge color="green" variant="light">Active</Badge>,
          ]} />
      )}
      <RuleEditor editing={editing} display={rules.data?.display} queues={queues} newOrder={nextOrder(list)} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); void refresh(); }} />
    </Stack>
  );
}

function RuleEditor({ editing, display, queues, newOrder, onClose, onSaved }: { editing: RecordData | 'new' | null; display?: DisplayMap; queues: string[]; newOrder: number; onClose: () => void; onSaved: () => void }) {
  const phone = useMediaQuery('(max-width: 48em)');
  const rule = editing === 'new' ? undefined : editing ?? undefined;
  return (
    <Modal opened={editing !== null} onClose={onClose} title={rule ? `Edit rule: ${String(rule.name)}` : 'New assignment rule'} size="xl" fullScreen={phone}>
      {editing !== null && <RuleForm key={rule?.id ?? 'new'} rule={rule} display={display} queues={queues} newOrder={newOrder} onCancel={onClose} onSaved={onSaved} />}
    </Modal>
  );
}

function RuleForm({ rule, display, queues, newOrder, onCancel, onSaved }: { rule?: RecordData; display?: DisplayMap; queues: string[]; newOrder: number; onCancel: () => void; onSaved: () => void }) {
  const { byName } = useMetadata();
  const lead = byName('lead')!;
  const userField = useField('assignment_rule', 'user');
  const groupField = useField('assignment_rule', 'assignment_group');
  const [name, setName] = useState(String(rule?.name ?? ''));
  const [active, setActive] = useState(rule ? rule.active !== false : true);
  const [condition, setCondition] = useState<Condition | null>(parseCondition(rule?.condition));
  const [target, setTarget] = useState(String(rule?.target ?? 'user'));
  const [user, setUser] = useState<string | null>((rule?.user as string) ?? null);
  const [queue, setQueue] = useState(String(rule?.queue ?? ''));
  const [group, setGroup] = useState<string | null>((rule?.assignment_group as string) ?? null);
  const { formRef, save, saving, errors, failure } = useRecordSave('assignment_rule', rule, onSaved, ['name', 'condition', 'user', 'queue', 'assignment_group']);
  const submit = () => save({
    name, active, condition: condition ? JSON.stringify(condition) : null, target,
    user: target === 'user' ? user : null, queue: target === 'queue' ? queue || null : null, assignment_group: target === 'round_robin' ? group : null,
    ...(rule ? {} : { sort_order: newOrder }),
  });
  return (
    <form ref={formRef} onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <Stack gap="md">
        {failure && <Alert color="red" title="The rule was not saved">{failure}</Alert>}
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
        <Checkbox label="Active" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
        <Paper withBorder p="sm" component="section" aria-labelledby="ar-when">
          <Title order={3} size="h5" id="ar-when" mb={4}>Leads that match</Title>
          <Text size="sm" c="dimmed" mb="xs">No condition: every lead that reaches this rule.</Text>
          <FilterBuilder object={lead} value={condition} onChange={setCondition} label="Rule condition" />
          {errors.condition && <Text c="red.8" size="sm" mt={4}>{errors.condition}</Text>}
        </Paper>
        <Stack gap={4}>
          <Text id="ar-target" fw={500} size="sm">Assign to</Text>
          <SegmentedControl aria-labelledby="ar-target" data={TARGETS} value={target} onChange={setTarget} fullWidth />
        </Stack>
        {target === 'user' && userField && <LookupSelect field={userField} label="User" required value={user} onChange={setUser} display={display} error={errors.user} allowCreate={false} />}
        {target === 'queue' && <Autocomplete label="Queue" required data={queues} value={queue} onChange={setQueue} error={errors.queue} description="The lead gets no owner; its Queue field is set for a team to pick from." />}
        {target === 'round_robin' && groupField && <LookupSelect field={groupField} label="Group" required value={group} onChange={setGroup} display={display} error={errors.assignment_group} allowCreate={false} description="Its members take turns; add groups on the Groups tab." />}
        {target === 'territory' && <Text size="sm">The first territory (Territories tab, in order) the lead lies in decides: its user, or the next rep of its group.</Text>}
        <EditorButtons saveLabel="Save rule" saving={saving} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
