import { ButtonLink } from '../../components/links';
import { registerListExtension, registerNavPage, registerRecordExtension } from '../../lib/extensions';
import { DisabledBanner, RulePanel } from './RulePanel';

export const RUN_LOG_PATH = '/automation/runs';

const AllRuns = () => <ButtonLink variant="default" to={RUN_LOG_PATH}>Run log</ButtonLink>;

/** Workflow rules in the web app (issue 14 item 11, docs/automation.md): the rule's page with its dry run and runs, and the run log. */
export function registerAutomation(): void {
  registerRecordExtension('automation_rule', { Main: RulePanel, Header: DisabledBanner });
  registerListExtension('automation_rule', { Actions: AllRuns });
  registerNavPage({ path: RUN_LOG_PATH, label: 'Rule runs', object: 'automation_rule' });
}
