import { Alert, Stack, Tabs, Text, Title } from '@mantine/core';
import { useMe } from '../../lib/useMe';
import { AssignmentRulesTab } from './AssignmentRules';
import { TerritoriesTab } from './Territories';
import { AssignmentGroupsTab, OutOfOfficeTab } from './AssignmentGroups';
import { TestLeadTab } from './TestLeadAssignment';

export const LEAD_ASSIGNMENT_PATH = '/settings/lead-assignment';

/**
 * Settings → Lead assignment (issue 14 items 9 and 11, docs/automation.md "Assignment rules"):
 * the ordered rules, territories, round-robin groups, out-of-office periods and a lead tested
 * against them, for administrators. Every write goes through the record API.
 */
export function LeadAssignmentPage() {
  const me = useMe().data;
  if (!me) return null;
  if (!me.isAdmin) return <Alert color="yellow" title="Administrators only" m="md">Ask an administrator to change how leads are assigned.</Alert>;
  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Title order={1}>Lead assignment</Title>
        <Text size="sm" c="dimmed">Who gets a new lead: rules tried in order, territories, groups taking turns and reps out of office.</Text>
      </div>
      <Tabs defaultValue="rules" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="rules">Rules</Tabs.Tab>
          <Tabs.Tab value="territories">Territories</Tabs.Tab>
          <Tabs.Tab value="groups">Groups</Tabs.Tab>
          <Tabs.Tab value="away">Out of office</Tabs.Tab>
          <Tabs.Tab value="test">Test a lead</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="rules" pt="md"><AssignmentRulesTab /></Tabs.Panel>
        <Tabs.Panel value="territories" pt="md"><TerritoriesTab /></Tabs.Panel>
        <Tabs.Panel value="groups" pt="md"><AssignmentGroupsTab /></Tabs.Panel>
        <Tabs.Panel value="away" pt="md"><OutOfOfficeTab /></Tabs.Panel>
        <Tabs.Panel value="test" pt="md"><TestLeadTab /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
