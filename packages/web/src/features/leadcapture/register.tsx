import { registerNavPage, registerRecordExtension } from '../../lib/extensions';
import { WebFormBuilder } from './FormBuilder';
import { SPEED_TO_LEAD_PATH } from './SpeedToLeadPage';

/**
 * Lead capture in the web app (issue 14 item 11, docs/automation.md "Lead capture"): the form
 * builder with its live preview and snippets on a web form's page, and the speed-to-lead report.
 * Assignment rules, groups, territories and out-of-office periods are records (the generic pages).
 */
export function registerLeadCapture(): void {
  registerRecordExtension('web_form', { Main: WebFormBuilder });
  registerNavPage({ path: SPEED_TO_LEAD_PATH, label: 'Speed to lead', object: 'lead' });
}
