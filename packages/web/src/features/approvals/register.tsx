import { registerNavPage, registerRecordExtension } from '../../lib/extensions';
import { ApprovalPanel } from './ApprovalPanel';
import { APPROVALS_PATH } from './InboxPage';

/** Approvals in the web app (issue 14 items 6 and 11): the panel on every record's page and the inbox in the navigation. */
export function registerApprovals(): void {
  registerRecordExtension('*', { Side: ApprovalPanel });
  registerNavPage({ path: APPROVALS_PATH, label: 'Approvals', object: 'approval_request' });
}
