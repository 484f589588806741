import { ButtonLink } from '../../components/links';
import { registerListExtension, registerNavPage, registerRecordExtension } from '../../lib/extensions';
import { WebFormBuilder } from './FormBuilder';
import { LEAD_ASSIGNMENT_PATH } from './LeadAssignmentPage';
import { SPEED_TO_LEAD_PATH } from './SpeedToLeadPage';

/** From the generic lists of assignment records to the page that edits them together. */
const ToLeadAssignment = () => <ButtonLink variant="default" to={LEAD_ASSIGNMENT_PATH}>Lead assignment page</ButtonLink>;

/**
 * Lead capture in the web app (issue 14 item 11, docs/automation.md "Lead capture"): the form
 * builder with its live preview and snippets on a web form's page, and the speed-to-lead report.
 * Assignment rules, groups, territories and out-of-office periods are edited together on Settings →
 * Lead assignment (LeadAssignmentPage, routed in router.tsx); their lists link to it.
 */
export function registerLeadCapture(): void {
  registerRecordExtension('web_form', { Main: WebFormBuilder });
  registerNavPage({ path: SPEED_TO_LEAD_PATH, label: 'Speed to lead', object: 'lead' });
  for (const object of ['assignment_rule', 'territory']) registerListExtension(object, { Actions: ToLeadAssignment });
}
