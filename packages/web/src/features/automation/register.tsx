import { useState } from 'react';
import { Button } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { ButtonLink } from '../../components/links';
import type { RecordData } from '../../api/types';
import { registerListExtension, registerNavPage, registerRecordExtension, type RecordSlotProps } from '../../lib/extensions';
import { RuleBuilderModal } from './RuleBuilder';
import { DisabledBanner, RulePanel } from './RulePanel';

export const RUN_LOG_PATH = '/automation/runs';

const AllRuns = () => <ButtonLink variant="default" to={RUN_LOG_PATH}>Run log</ButtonLink>;

/** "Build a rule" on the rules' list: the guided builder; the new rule's page opens when it is saved. */
function BuildRule() {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const saved = (r: RecordData) => {
    setOpen(false);
    void navigate({ to: '/o/$object/$id', params: { object: 'automation_rule', id: r.id }, search: { tab: undefined } });
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>Build a rule</Button>
      <RuleBuilderModal opened={open} onClose={() => setOpen(false)} onSaved={saved} />
    </>
  );
}

/** "Edit in builder" on a rule's page. */
function EditRule({ record, onSaved }: RecordSlotProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="default" onClick={() => setOpen(true)}>Edit in builder</Button>
      <RuleBuilderModal opened={open} rule={record} onClose={() => setOpen(false)} onSaved={(r) => { setOpen(false); onSaved(r); }} />
    </>
  );
}

/** Workflow rules in the web app (issue 14 item 11, docs/automation.md): the guided builder, the rule's page with its dry run and runs, and the run log. */
export function registerAutomation(): void {
  registerRecordExtension('automation_rule', { Main: RulePanel, Header: DisabledBanner, Actions: EditRule });
  registerListExtension('automation_rule', { Actions: BuildRule });
  registerListExtension('automation_rule', { Actions: AllRuns });
  registerNavPage({ path: RUN_LOG_PATH, label: 'Rule runs', object: 'automation_rule' });
}
